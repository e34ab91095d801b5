import type { FastifyRequest } from 'fastify'
import type { FastifyPusherWebhooks } from '../../types/index'
import type { Presence } from './presence'
import { storeCall } from './presence'
import type { PresenceStore } from '../../types/presence-store'

interface Delivery { time_ms: number }

/**
 * Feeds the presence store from the webhooks, as `webhooks.on` handlers added at registration (so
 * before the app's: they see the store already changed). Each event is one unit of the exactly-once
 * pipeline: a retried delivery is applied once, and a store failure fails the delivery (500), so
 * Pusher retries it. `member_added` and `member_removed` are applied at the delivery's `time_ms`;
 * `channel_vacated` of a presence channel removes whoever the store still holds there.
 */
export function feedPresence (webhooks: FastifyPusherWebhooks, store: PresenceStore, { apply }: Presence): void {
  webhooks.on('member_added', async (request: FastifyRequest, event, delivery: Delivery) => {
    await apply([{ channel: event.channel, userId: event.user_id, present: true, timeMs: delivery.time_ms }], request.log)
  })
  webhooks.on('member_removed', async (request: FastifyRequest, event, delivery: Delivery) => {
    await apply([{ channel: event.channel, userId: event.user_id, present: false, timeMs: delivery.time_ms }], request.log)
  })
  webhooks.on('channel_vacated', async (request: FastifyRequest, event, delivery: Delivery) => {
    if (!event.channel.startsWith('presence-')) return
    const held = await storeCall(() => store.members(event.channel))
    await apply(held.map((userId) => ({ channel: event.channel, userId, present: false, timeMs: delivery.time_ms })), request.log)
  })
}
