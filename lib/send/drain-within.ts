import type { FastifyBaseLogger } from 'fastify'
import type { Sender } from './sender'

/**
 * Waits for `drained` at most `closeTimeout` ms; past it, cuts off every API call still under way
 * (each rejects with FST_PUSHER_CLOSED, and so does every queued one as it comes up), waits for them
 * to settle, which is then at once, and warns once with how many were cut off.
 */
export async function drainWithin (drained: Promise<void>, closeTimeout: number, sender: Pick<Sender, 'abort' | 'cutOff'>, log: FastifyBaseLogger): Promise<void> {
  let timer: NodeJS.Timeout | undefined
  const timedOut = await Promise.race([
    drained.then(() => false),
    new Promise<boolean>((resolve) => { timer = setTimeout(() => { resolve(true) }, closeTimeout) })
  ])
  clearTimeout(timer)
  if (!timedOut) return
  sender.abort()
  await drained
  log.warn({ cutOff: sender.cutOff(), closeTimeout }, `fastify-pusher: close() cut off ${sender.cutOff()} API call(s) still under way after closeTimeout (${closeTimeout} ms); they rejected with FST_PUSHER_CLOSED`)
}
