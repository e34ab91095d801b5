/** The longest Retry-After honoured: a longer one waits this long (and `timeout` may end it sooner). */
export const MAX_RETRY_AFTER_MS = 60_000

/**
 * A Retry-After header (seconds, or an HTTP date) as ms to wait, at most MAX_RETRY_AFTER_MS;
 * undefined when absent or unreadable, and then the backoff decides.
 */
export function retryAfterMs (header: string | undefined, now = Date.now()): number | undefined {
  if (header === undefined) return undefined
  const value = header.trim()
  // delay-seconds, or an HTTP-date (every form of which starts with the day's name)
  const ms = /^\d+$/.test(value) ? Number(value) * 1000 : /^[A-Za-z]/.test(value) ? Date.parse(value) - now : NaN
  if (Number.isNaN(ms)) return undefined
  return Math.min(Math.max(ms, 0), MAX_RETRY_AFTER_MS)
}
