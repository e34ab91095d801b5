import type { QueueOptions } from '../config/queue-options'

/**
 * What the worker does with a failed call, by its answer:
 * - `reject`: 400, 404, 413 (the API will never take it): the job fails for good, split first if it holds several events;
 * - `pause`: 401, 403 (bad credentials, app disabled, over quota): the queue pauses until resume();
 * - `retry`: 429, other 5xx and 4xx answers, timeouts, the API unreachable, a call cut off by close(), a
 *   tenant's credentials that could not be looked up:
 *   retried with backoff (or the 429's Retry-After) until maxAgeMs, without using up attempts;
 * - anything else (the official client refusing the event, say an encrypted channel without a master
 *   key, or a tenant no longer known) is `reject`: trying again would not change it.
 */
export type Outcome = 'reject' | 'pause' | 'retry'

export function outcomeOf (error: unknown): Outcome {
  const { code, statusCode } = error as { code?: string, statusCode?: number }
  if (code === 'FST_PUSHER_API_TIMEOUT' || code === 'FST_PUSHER_API_UNREACHABLE' || code === 'FST_PUSHER_CLOSED' || code === 'FST_PUSHER_TENANT_UNAVAILABLE') return 'retry'
  if (code !== 'FST_PUSHER_API_ERROR') return 'reject'
  if (statusCode === 400 || statusCode === 404 || statusCode === 413) return 'reject'
  if (statusCode === 401 || statusCode === 403) return 'pause'
  return 'retry'
}

/** The wait before try `tries + 1`: the server's Retry-After, or exponential backoff with full jitter in [minMs, maxMs]. */
export function retryDelay (error: unknown, tries: number, backoff: QueueOptions['backoff']): number {
  const retryAfter = (error as { retryAfterMs?: number }).retryAfterMs
  if (retryAfter !== undefined) return Math.max(retryAfter, backoff.minMs)
  const ceiling = Math.min(backoff.maxMs, backoff.minMs * 2 ** Math.min(tries, 30))
  return backoff.minMs + Math.floor(Math.random() * (ceiling - backoff.minMs + 1))
}

/** A failed job's reason, as `failed()` reads it: the code and status only, never a message from the server. */
export function failureReason (error: unknown): string {
  const { code, statusCode } = error as { code?: string, statusCode?: number }
  return JSON.stringify({ code: code ?? 'FST_PUSHER_QUEUE_FAILED', statusCode })
}
