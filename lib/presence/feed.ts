import type { FastifyBaseLogger } from 'fastify'
import type { FastifyPusherWebhooks } from '../../types/index'
import type { PresenceChange, PresenceStore } from '../../types/presence-store'
import { userId as validUserId } from '../auth/user-data'
import { isPresenceChannel, storeCall, type Presence } from './presence'

/** How far ahead of this server's clock a delivery's time_ms may be (as the replay window allows). */
export const MAX_AHEAD_MS = 60_000

/**
 * Feeds the presence store from the webhooks, as `webhooks.on` handlers added at registration (so
 * before the app's: they see the store already changed). Each event is one unit of the exactly-once
 * pipeline: a retried delivery is applied once, and a store failure fails the delivery (500), so
 * Pusher retries it. `member_added` and `member_removed` are applied at the delivery's `time_ms`;
 * `channel_vacated` of a presence channel removes whoever the store still holds there. An event the
 * store cannot take (not a presence channel, not a user id, a time_ms more than a minute ahead, which
 * would outrank every later change) is left out, with a warning.
 */
export function feedPresence (webhooks: FastifyPusherWebhooks, store: PresenceStore, { apply }: Presence): void {
  const usable = (log: FastifyBaseLogger, channel: string, timeMs: number, userId?: unknown): boolean => {
    const why = !isPresenceChannel(channel)
      ? 'not a presence channel name'
      : userId !== undefined && validUserId(userId) !== userId
        ? 'not a user id of 1 to 128 characters'
        : timeMs > Date.now() + MAX_AHEAD_MS ? 'its time_ms is more than a minute ahead of this server\'s clock' : undefined
    if (why !== undefined) log.warn(`fastify-pusher: a presence event was left out of the presence store: ${why}`)
    return why === undefined
  }
  const change = (present: boolean) => async (request: { log: FastifyBaseLogger }, event: { channel: string, user_id: string }, delivery: { time_ms: number }): Promise<void> => {
    if (!usable(request.log, event.channel, delivery.time_ms, event.user_id)) return
    await apply([{ channel: event.channel, userId: event.user_id, present, timeMs: delivery.time_ms }], request.log)
  }
  webhooks.on('member_added', change(true))
  webhooks.on('member_removed', change(false))
  webhooks.on('channel_vacated', async (request, event, delivery) => {
    if (!event.channel.startsWith('presence-') || !usable(request.log, event.channel, delivery.time_ms)) return
    const held = await storeCall(() => store.members(event.channel))
    const changes: PresenceChange[] = held.map((userId) => ({ channel: event.channel, userId, present: false, timeMs: delivery.time_ms }))
    await apply(changes, request.log)
  })
}
