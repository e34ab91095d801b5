import type Pusher from 'pusher'
import type {
  AuthHandler, ChannelDataHandler, ChannelRuleHandler, FastifyPusher, UserAuthHandler, WebhookHandler
} from '../types/index'
import type { ChannelExistenceWebhook, ClientEventWebhook, PresenceWebhook } from './schemas'
import { InvalidHandlerError } from './errors'
import { signingToken } from './config/client'
import { ChannelRules } from './auth/channel-rules'

/** The handlers the routes call; read at request time, so they may be set before or after ready(). */
export interface Handlers {
  auth?: AuthHandler
  channelData?: ChannelDataHandler
  userAuth?: UserAuthHandler
  channelExistence?: WebhookHandler<ChannelExistenceWebhook>
  presence?: WebhookHandler<PresenceWebhook>
  client?: WebhookHandler<ClientEventWebhook>
}

export interface Decorator {
  pusher: FastifyPusher
  handlers: Handlers
  /** The channel rules, in declaration order. */
  rules: ChannelRules
}

type Senders = Pick<FastifyPusher, 'trigger' | 'triggerBatch' | 'sendToUser' | 'terminateUserConnections' | 'channelInfo' | 'channelsInfo' | 'presenceUsers'>

export function createDecorator (client: Pusher, senders: Senders): Decorator {
  const handlers: Handlers = {}
  const rules = new ChannelRules()
  const setter = <Name extends keyof Handlers>(name: Name) => (handler: NonNullable<Handlers[Name]>): void => {
    if (typeof handler !== 'function') throw new InvalidHandlerError(name, typeof handler)
    handlers[name] = handler
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
      rules.add(pattern, handler as ChannelRuleHandler<string>)
    },
    webhooks: {
      channelExistence: setter('channelExistence'),
      presence: setter('presence'),
      client: setter('client')
    }
  }
  return { pusher, handlers, rules }
}
