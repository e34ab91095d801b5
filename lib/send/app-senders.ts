import type { Agent } from 'node:http'
import type Pusher = require('pusher')
import type { FastifyPusher, FastifyPusherQueue } from '../../types/index'
import type { NotificationChannel } from './notify'
import { createNotify } from './notify'
import { createSender, type Sender } from './sender'
import { createTriggers, type TriggerOptions } from './triggers'
import { createServerApi } from './users-and-channels'

export interface AppSendOptions {
  timeout: number
  /** The user's own agent; otherwise a keep-alive pool of the app's own. */
  agent?: Agent
  retries: number
  retryUnsafe: boolean
  send: TriggerOptions
  notificationChannel: NotificationChannel
}

/** An app's senders, as `fastify.pusher` (and a tenant's `forApp()` sender) has them. */
export type Senders = Pick<FastifyPusher, 'trigger' | 'triggerBatch' | 'notify' | 'queue' | 'sendToUser' | 'terminateUserConnections' | 'channelInfo' | 'channelsInfo' | 'presenceUsers'>

export interface AppSenders {
  senders: Senders
  /** The official client, its calls sent through `sender`. */
  sender: Sender
  triggers: ReturnType<typeof createTriggers>
}

/**
 * One app's sending side: the sender (its pool, timeout, retries), the batched triggers, the rest of the
 * server API and notify. `queueOf` gives its durable queue, from the client that sends and whether it is closing.
 */
export function createAppSenders (client: Pusher, options: AppSendOptions, queueOf: (client: Pusher, isClosing: () => boolean) => FastifyPusherQueue): AppSenders {
  const sender = createSender(client, { timeout: options.timeout, agent: options.agent, retries: options.retries, retryUnsafe: options.retryUnsafe })
  const triggers = createTriggers(sender.client, options.send)
  const serverApi = createServerApi(sender.client, { ...options.send, isClosing: triggers.isClosing })
  const senders: Senders = {
    trigger: triggers.trigger,
    triggerBatch: triggers.triggerBatch,
    notify: createNotify(triggers.trigger, options.notificationChannel),
    queue: queueOf(sender.client, triggers.isClosing),
    ...serverApi
  }
  return { senders, sender, triggers }
}
