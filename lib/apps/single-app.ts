import type { FastifyInstance } from 'fastify'
import type { Agent } from 'node:http'
import { checkClient, createClient, pairToken, signingToken } from '../config/client'
import type { ResolvedOptions } from '../config/options'
import { singleAppMembers } from '../decorator'
import { authorizeContext } from '../auth/context'
import { createAppSenders } from '../send/app-senders'
import { drainWithin } from '../send/drain-within'
import { requestForm } from '../send/request-pusher'
import { createQueueing } from '../queue/queueing'
import { queueNotConfigured } from '../queue/not-configured'
import { webhookTokens } from '../webhooks/signature'
import type { AppSide } from './app-side'

/** One app, from its credentials or a ready client: the plugin as it has always been. */
export function singleApp (fastify: FastifyInstance, resolved: ResolvedOptions): AppSide & { serverApi: ReturnType<typeof createAppSenders>['senders'] } {
  const client = resolved.client !== undefined ? checkClient(resolved.client) : createClient(resolved.clientConfig!)
  const clientConfig = (client as unknown as { config: { timeout?: number, agent?: Agent } }).config
  const timeout = clientConfig.timeout ?? 0
  let queueing: ReturnType<typeof createQueueing> | undefined
  const { senders, sender, triggers } = createAppSenders(client, { ...resolved, timeout, agent: clientConfig.agent }, (sending, isClosing) => {
    if (resolved.queue === undefined) return queueNotConfigured
    queueing = createQueueing({ queue: resolved.queue, client: sending, ...resolved.send, timeout, log: fastify.log })
    return queueing.apiFor(undefined, isClosing)
  })
  return {
    members: singleAppMembers(client, senders),
    serverApi: senders,
    cacheTrigger: async (channel, event, data) => await senders.trigger(channel, event, data),
    bind: (decorator) => {
      const auth = authorizeContext(client, decorator)
      const webhook = {
        tokens: webhookTokens([signingToken(client), ...resolved.webhooks.keys.map(({ key, secret }) => pairToken(key, secret))]),
        deliveryPrefix: resolved.name === undefined ? '' : `${resolved.name}:`
      }
      return {
        sources: { authContext: () => auth, webhookSigner: () => webhook },
        requestForm: requestForm(senders, { ...resolved.send, queued: queueing !== undefined })
      }
    },
    start: () => { queueing?.start() },
    stop: () => { triggers.close() },
    // Nothing lost on close: every queued and in-flight event settles first (the worker's jobs too; what
    // it has not taken stays in Redis), for at most closeTimeout: then what is still under way is cut off
    // (FST_PUSHER_CLOSED), so close() always ends.
    close: async () => {
      const cutOff = { abort: sender.abort, cutOff: sender.cutOff, drop: queueing?.forceClose }
      await drainWithin(Promise.all([triggers.drain(), queueing?.close()]).then(() => {}), resolved.closeTimeout, cutOff, fastify.log)
      sender.close()
    }
  }
}
