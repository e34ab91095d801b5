import type Pusher = require('pusher')
import type { FastifyRequest } from 'fastify'
import type {
  AuthHandler, ChannelDataHandler, ChannelRuleHandler, FastifyPusher, PusherSender, UserAuthHandler
} from '../types/index'
import type { Senders } from './send/app-senders'
import { HandlerTimeoutError, InvalidHandlerError, UnknownAppError } from './errors'
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

/** What sends: the app's client, key and senders, and forApp (a tenant registration's throw, but forApp). */
export type SendingMembers = Senders & Pick<FastifyPusher, 'client' | 'key' | 'forApp'>

export interface DecoratorOptions {
  handlerTimeout: number
  /** How a cache channel's loaded event is published, for the `cache_miss` delivery's request. */
  cacheTrigger: (channel: string, event: string, data: unknown, request: FastifyRequest) => Promise<unknown>
}

/** A single app's sending members: its client and key, its senders, and forApp naming it (by app id or key). */
export function singleAppMembers (client: Pusher, senders: Senders): SendingMembers {
  const { key } = signingToken(client)
  const appId = String((client as unknown as { config: { appId: unknown } }).config.appId)
  const self: PusherSender = { client, key, appId, ...senders }
  return {
    client,
    key,
    ...senders,
    forApp: async (app) => {
      const name = typeof app === 'string' || typeof app === 'number' ? String(app) : app?.appId ?? app?.key
      if (name === appId || name === key) return self
      throw new UnknownAppError(typeof name === 'string' ? `"${name.slice(0, 164)}" is neither this app's id nor its key` : 'forApp() takes an app id or key')
    }
  }
}

/**
 * `fastify.pusher` and what the routes read. Every handler is stored bounded by
 * `handlerTimeout` (ms, 0 for none): past it, the route answers
 * FST_PUSHER_HANDLER_TIMEOUT (503 on auth routes, 500 on webhooks). The sending members are copied
 * as they are defined (getters stay getters).
 */
export function createDecorator (members: SendingMembers, { handlerTimeout, cacheTrigger }: DecoratorOptions): Decorator {
  const handlers: Handlers = {}
  const rules = new ChannelRules()
  const webhooks = createWebhookHandlers({ handlerTimeout })
  const setter = <Name extends keyof Handlers>(name: Name) => (handler: NonNullable<Handlers[Name]>): void => {
    if (typeof handler !== 'function') throw new InvalidHandlerError(name, typeof handler)
    handlers[name] = withTimeout(handler, name, handlerTimeout, HandlerTimeoutError) as Handlers[Name]
  }

  const own: Omit<FastifyPusher, keyof SendingMembers> = {
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
    cacheChannel: createCacheChannels(webhooks.api, cacheTrigger) as FastifyPusher['cacheChannel']
  }
  const pusher = Object.defineProperties(own, Object.getOwnPropertyDescriptors(members)) as FastifyPusher
  return { pusher, handlers, rules, webhookHandlers: webhooks.handlers }
}
