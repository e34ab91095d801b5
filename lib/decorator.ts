import type Pusher = require('pusher')
import type {
  AuthHandler, ChannelDataHandler, ChannelRuleHandler, FastifyPusher, UserAuthHandler
} from '../types/index'
import { HandlerTimeoutError, InvalidHandlerError } from './errors'
import { withTimeout } from './handler-timeout'
import { signingToken } from './config/client'
import { ChannelRules } from './auth/channel-rules'
import { createWebhookHandlers, type WebhookHandlers } from './webhooks/handlers'
import { createCacheChannels } from './cache-channels/cache-channels'

/** The handlers the routes call; read at request time, so they may be set before or after ready(). */
export interface Handlers {
  auth?: AuthHandler
  channelData?: ChannelDataHandler
  userAuth?: UserAuthHandler
}

export interface Decorator {
  pusher: FastifyPusher
  handlers: Handlers
  /** The channel rules, in declaration order. */
  rules: ChannelRules
  webhookHandlers: WebhookHandlers
}

type Senders = Pick<FastifyPusher, 'trigger' | 'triggerBatch' | 'notify' | 'queue' | 'sendToUser' | 'terminateUserConnections' | 'channelInfo' | 'channelsInfo' | 'presenceUsers'>

/**
 * `fastify.pusher` and what the routes read. Every handler is stored bounded by
 * `handlerTimeout` (ms, 0 for none): past it, the route answers
 * FST_PUSHER_HANDLER_TIMEOUT (503 on auth routes, 500 on webhooks).
 */
export function createDecorator (client: Pusher, senders: Senders, { handlerTimeout }: { handlerTimeout: number }): Decorator {
  const handlers: Handlers = {}
  const rules = new ChannelRules()
  const webhooks = createWebhookHandlers({ handlerTimeout })
  const setter = <Name extends keyof Handlers>(name: Name) => (handler: NonNullable<Handlers[Name]>): void => {
    if (typeof handler !== 'function') throw new InvalidHandlerError(name, typeof handler)
    handlers[name] = withTimeout(handler, name, handlerTimeout, HandlerTimeoutError) as Handlers[Name]
  }

  const pusher: FastifyPusher = {
    client,
    key: signingToken(client).key,
    ...senders,
    auth: setter('auth'),
    channelData: setter('channelData'),
    userAuth: setter('userAuth'),
    channel: (pattern, handler) => {
      if (typeof handler !== 'function') throw new InvalidHandlerError(`channel rule ${JSON.stringify(pattern)}`, typeof handler)
      rules.add(pattern, withTimeout(handler as ChannelRuleHandler<string>, `channel rule ${JSON.stringify(pattern)}`, handlerTimeout, HandlerTimeoutError))
    },
    webhooks: webhooks.api,
    // The named apps: set by the registry (lib/apps/registry.ts) once the app is added.
    apps: {},
    cacheChannel: createCacheChannels(webhooks.api, async (channel, event, data) => await senders.trigger(channel, event, data)) as FastifyPusher['cacheChannel']
  }
  return { pusher, handlers, rules, webhookHandlers: webhooks.handlers }
}
