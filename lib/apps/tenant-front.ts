import type { FastifyPusherQueue, PusherSender } from '../../types/index'
import type { Senders } from '../send/app-senders'

const SENDERS = ['trigger', 'triggerBatch', 'notify', 'sendToUser', 'terminateUserConnections', 'channelInfo', 'channelsInfo', 'presenceUsers'] as const
const QUEUE = ['trigger', 'triggerBatch', 'sendToUser', 'counts', 'failed', 'retryFailed', 'pause', 'resume'] as const

type AnyCall = (...args: unknown[]) => Promise<unknown>

/**
 * A tenant's sender as `forApp()` gives it: each call goes to the tenant held now (its credentials looked
 * up again when stale, or when it was let go), never to one let go, so a sender kept for long still sends
 * with the current credentials and close() waits for its calls. `client` and `key` are the tenant's when
 * forApp resolved.
 */
export function tenantFront (appId: string, first: { client: PusherSender['client'], key: string }, current: () => Promise<Senders>): PusherSender {
  const call = (pick: (senders: Senders) => AnyCall): AnyCall => async (...args) => await pick(await current())(...args)
  const queue = Object.fromEntries(QUEUE.map((name) => [name, call((senders) => (senders.queue[name] as AnyCall).bind(senders.queue))])) as unknown as FastifyPusherQueue
  return Object.assign(
    Object.fromEntries(SENDERS.map((name) => [name, call((senders) => senders[name] as AnyCall)])),
    { appId, client: first.client, key: first.key, queue }
  ) as unknown as PusherSender
}
