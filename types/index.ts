import type { FastifyRequest } from 'fastify'
import type { Agent } from 'node:http'
import type Pusher from 'pusher'
import type { ChannelExistenceWebhook, ClientEventWebhook, PresenceWebhook } from '../lib/schemas'

export type MaybePromise<T> = T | Promise<T>

/** Turns event data into the text sent to Pusher. Default: `JSON.stringify`. */
export type Serialize = (data: unknown) => string

export interface FastifyPusherOptions {
  /** PUSHER_APP_ID */
  appId?: string | number
  /** PUSHER_KEY: the public app key */
  key?: string
  /** PUSHER_SECRET */
  secret?: string
  /** PUSHER_CLUSTER, e.g. `eu`: the API host becomes api-CLUSTER.pusher.com */
  cluster?: string
  /** PUSHER_HOST: the API host (wins over `cluster`), e.g. a soketi server */
  host?: string
  /** PUSHER_PORT */
  port?: number | string
  /** PUSHER_USE_TLS (`true`/`1`/`false`/`0`). Default true. */
  useTLS?: boolean
  /** PUSHER_TIMEOUT: ms before an API request is aborted. Default 5000; 0 for none. */
  timeout?: number
  /** PUSHER_ENCRYPTION_MASTER_KEY_BASE64: 32 bytes in base64, for private-encrypted channels. */
  encryptionMasterKeyBase64?: string
  /** PUSHER_URL: `https://KEY:SECRET@HOST[:PORT]/apps/APP_ID`. Individual options override its parts. */
  url?: string
  /** An http(s).Agent for the API requests. */
  agent?: Agent
  /** A ready `pusher` client to use as is (no credentials needed then). */
  client?: Pusher
  /** Turns event data into the text sent. Default `JSON.stringify`. */
  serialize?: Serialize
  /** Where the routes live. Default `/pusher`. */
  prefix?: string
  /** PUSHER_AUTH: the auth route under `prefix`. Default `/auth`. */
  authPath?: string
}

/** Return true to let `socketId` subscribe to the private, encrypted or presence channel `channelName`. */
export type AuthHandler = (request: FastifyRequest, channelName: string, socketId: string) => MaybePromise<boolean>

/** The presence member; `user_id` defaults to the socket id. */
export interface PresenceMember {
  user_id?: string | number
  user_info?: Record<string, unknown>
}

/** Describes the member joining the presence channel `channelName`. */
export type ChannelDataHandler = (request: FastifyRequest, channelName: string, socketId: string) => MaybePromise<PresenceMember | undefined>

/** Receives a verified, validated webhook. Throw to answer 500 and have Pusher retry. */
export type WebhookHandler<Payload> = (request: FastifyRequest, payload: Payload) => MaybePromise<unknown>

export interface FastifyPusherWebhooks {
  /** `channel_occupied` / `channel_vacated` at POST {prefix}/events/channel_existence */
  channelExistence: (handler: WebhookHandler<ChannelExistenceWebhook>) => void
  /** `member_added` / `member_removed` at POST {prefix}/events/presence */
  presence: (handler: WebhookHandler<PresenceWebhook>) => void
  /** `client_event` at POST {prefix}/events/client */
  client: (handler: WebhookHandler<ClientEventWebhook>) => void
}

export type TriggerResponse = Awaited<ReturnType<Pusher['trigger']>>

export interface FastifyPusher {
  /** The official `pusher` client itself. */
  readonly client: Pusher
  /** The public app key, for pages that start pusher-js. */
  readonly key: string
  /** The client's trigger, with data turned into text by `serialize`. */
  trigger: (channel: string | string[], event: string, data: unknown, params?: Pusher.TriggerParams) => Promise<TriggerResponse>
  /** The client's triggerBatch (at most 10 events), with each event's data turned into text by `serialize`. */
  triggerBatch: (events: Pusher.BatchEvent[]) => Promise<TriggerResponse>
  /** Sets the auth handler. Without one every channel auth request is refused (403). */
  auth: (handler: AuthHandler) => void
  /** Sets the presence member handler. */
  channelData: (handler: ChannelDataHandler) => void
  readonly webhooks: FastifyPusherWebhooks
}

declare module 'fastify' {
  interface FastifyInstance {
    pusher: FastifyPusher
  }
}
