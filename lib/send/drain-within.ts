import type { FastifyBaseLogger } from 'fastify'

/** After the cut-off, how long close() still gives the calls it cut off to settle. */
export const GRACE_MS = 1000

export interface CutOff {
  /** Cuts off the API calls under way: they reject with FST_PUSHER_CLOSED (a worker's job then goes back to Redis). */
  abort: () => void
  /** How many API calls were cut off. */
  cutOff: () => number
  /** Last resort, when even that does not settle (Redis gone): drops the plugin's own connections. */
  drop?: () => void
}

/**
 * Waits for `drained` at most `closeTimeout` ms; past it, cuts off the API calls still under way (each
 * rejects with FST_PUSHER_CLOSED, and so does every queued one as it comes up) and gives them GRACE_MS
 * to settle; if that is not enough, drops the plugin's connections and gives it GRACE_MS more. Then
 * it warns once with how many calls were cut off. It always ends.
 */
export async function drainWithin (drained: Promise<void>, closeTimeout: number, target: CutOff, log: FastifyBaseLogger): Promise<void> {
  if (await settlesWithin(drained, closeTimeout)) return
  target.abort()
  if (!await settlesWithin(drained, GRACE_MS) && target.drop !== undefined) {
    target.drop()
    await settlesWithin(drained, GRACE_MS)
  }
  log.warn({ cutOff: target.cutOff(), closeTimeout }, `fastify-pusher: close() cut off ${target.cutOff()} API call(s) still under way after closeTimeout (${closeTimeout} ms); they rejected with FST_PUSHER_CLOSED`)
}

/** Whether `promise` settled within `ms`. */
async function settlesWithin (promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined
  const settled = await Promise.race([
    Promise.allSettled([promise]).then(() => true),
    new Promise<boolean>((resolve) => { timer = setTimeout(() => { resolve(false) }, ms) })
  ])
  clearTimeout(timer)
  return settled
}
