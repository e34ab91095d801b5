import type {
  FastifyContextConfig, FastifyRequest, LogLevel, onRequestHookHandler, preHandlerHookHandler
} from 'fastify'
import type { Agent } from 'node:http'
import type Pusher = require('pusher')
import type {
  CacheMissWebhook, ChannelExistenceWebhook, ClientEventWebhook, PresenceWebhook, SubscriptionCountWebhook,
  WebhookEvent, WebhookEventName
} from '../lib/schemas'
import type { WebhookDedupeStore } from './dedupe-store'
import type { PresenceStore } from './presence-store'
import type { MaybePromise } from './maybe-promise'

export type { WebhookDedupeStore, ClaimState } from './dedupe-store'
export type { PresenceStore, PresenceChange, PresenceOutcome, PresenceLimits } from './presence-store'
export type { RedisPresenceStoreOptions } from '../lib/presence/redis-store'
export type { RedisLike, RedisDedupeStoreOptions } from '../lib/webhooks/dedupe/redis-store'
export type { WebhookEventName } from '../lib/schemas'
export type {
  PusherApiKind, PusherApiMessage, PusherAuthResult, PusherAuthMessage, PusherWebhookOutcome, PusherWebhookMessage,
  PusherWebhookEventMessage, PusherQueueMessage, PusherBatchMessage, PusherTelemetry
} from './telemetry'

export type { MaybePromise } from './maybe-promise'

/** Turns event data into the text sent to Pusher. Default: `JSON.stringify`. */
export type Serialize = (data: unknown) => string

/**
 * The names of your apps, declared once by declaration merging:
 * `declare module 'fastify-pusher' { interface PusherApps { eu: true } }`. Then `name`,
 * `app.pusher.apps` and `request.pusher.apps` take only those names. Without one, any name.
 */
export interface PusherApps {}

/** A declared app name (any string when none is declared). */
export type PusherAppName = keyof PusherApps extends never ? string : keyof PusherApps & string

export interface FastifyPusherOptions {
  /** A named app: `app.pusher.apps[name]`, beside the default (unnamed) one. Default: the default app. */
  name?: PusherAppName
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
  /**
   * The channel of a user's broadcast notifications (`notify`), without its `private-` prefix: a name
   * with `{userId}`, or a function of the user id, as Laravel's `receivesBroadcastNotificationsOn()`.
   * Default `App.Models.User.{userId}`.
   */
  notificationChannel?: string | ((userId: string) => string)
  /**
   * ms `app.close()` waits at most for the plugin's calls under way, whatever `timeout` is (even 0):
   * then they are cut off and reject with FST_PUSHER_CLOSED, and one warning says how many. Default 10000.
   */
  closeTimeout?: number
  /** Durable sending on BullMQ and Redis: `app.pusher.queue` (see the README, "Durable sending"). */
  queue?: FastifyPusherQueueOptions
  /**
   * Who is online, kept on the server from the presence webhooks: `app.pusher.presence` (see the README,
   * "Presence on the server"). `true` keeps it in memory; `{ store: redisPresenceStore(redis) }` shares it
   * between instances. Default off.
   */
  presence?: boolean | FastifyPusherPresenceOptions
  /** PUSHER_TIMEOUT: ms before an API request is aborted. Default 5000; 0 for none. */
  timeout?: number
  /** PUSHER_ENCRYPTION_MASTER_KEY_BASE64: 32 bytes in base64, for private-encrypted channels. */
  encryptionMasterKeyBase64?: string
  /** PUSHER_URL: `https://KEY:SECRET@HOST[:PORT][/PATH]/apps/APP_ID`. Individual options override its parts. */
  url?: string
  /** PUSHER_PATH: a server under a path (e.g. soketi's SOKETI_PATH_PREFIX): every API call goes to `{path}/apps/{appId}/...`. */
  path?: string
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
  /** The user authentication route (pusher-js `signin()`) under `prefix`. Default `/user-auth`. */
  userAuthPath?: string
  /** Hooks, config, limits and OpenAPI fields for the plugin's own routes. */
  routeOptions?: FastifyPusherRouteOptions
  /** Retries of an API call that never left (connection refused, DNS failure, reset while connecting). Default 2. */
  retries?: number
  /** Also retry timeouts, resets after sending and 5xx answers: a trigger may then be delivered twice. Default false. */
  retryUnsafe?: boolean
  /** Auto-batch triggers to one plain channel into batch_events calls. Default true. */
  batching?: boolean
  /** Events per batch_events call (Pusher's limit on multi-tenant clusters is 10). Default 10. */
  batchSize?: number
  /** API calls in flight at once; more wait their turn. Default 16. */
  maxInFlight?: number
  /** Bytes of serialized data per event, checked before sending (Pusher's limit). Default 10240. */
  maxEventBytes?: number
  /**
   * Exactly-once webhook handling: an event whose handlers succeeded is skipped when
   * its delivery comes again. Default on, in memory; `false` turns it off.
   */
  webhookDedupe?: boolean | WebhookDedupeOptions
  /** Key/secret pairs a webhook may also be signed with (key rotation), chosen by X-Pusher-Key. */
  webhookKeys?: Array<{ key: string, secret: string }>
  /** Refuse (403) a webhook whose `time_ms` is older than this many ms, or more than 60 s ahead. Default off. */
  webhookMaxAgeMs?: number
  /** ms a handler may take: past it the route answers FST_PUSHER_HANDLER_TIMEOUT (503; 500 on webhooks). Default 10000; 0 for none. */
  handlerTimeout?: number
  /**
   * One registration serving many apps, their credentials looked up (see the README, "Tenants"). Not
   * combined with credentials, `client`, `agent`, `webhookKeys` or `presence`.
   */
  tenants?: FastifyPusherTenantOptions
}

/** How a tenant is named: by its app id or by its app key. */
export type TenantLookup = { appId: string, key?: never } | { key: string, appId?: never }

/** What `tenants.credentials()` resolves to for a known tenant. */
export interface TenantCredentials {
  appId: string | number
  key: string
  secret: string
  /** `cluster` or `host`, one of them at least. */
  cluster?: string
  host?: string
  port?: number | string
  /** Default true. */
  useTLS?: boolean
  /** A server under a path: `{path}/apps/{appId}/...`. */
  path?: string
  encryptionMasterKeyBase64?: string
}

/** The `tenants` option. */
export interface FastifyPusherTenantOptions {
  /** The tenant's credentials, or `undefined` for an unknown tenant. Bounded by `handlerTimeout`. */
  credentials: (lookup: TenantLookup) => MaybePromise<TenantCredentials | undefined | null>
  /**
   * Which tenant a request to the auth routes is for: an app id or key (looked up as an app id, then as a
   * key), or `{ appId }` / `{ key }`; `undefined` for none (404). Needed unless the auth routes are left out.
   */
  fromRequest?: (request: FastifyRequest) => MaybePromise<string | number | TenantLookup | undefined | null>
  /** ms credentials are used before they are looked up again. Default 60000; 0 looks up on each use. */
  cacheMs?: number
  /** Tenants held at once (each a client, a batch queue and a keep-alive pool); the least recently used is closed. Default 1000. */
  max?: number
}

/** The tenant a request to the plugin's routes is for (`request.pusher.tenant`). */
export interface PusherTenant {
  appId: string
  key: string
}

/** One app's senders: what `app.pusher.forApp()` resolves to. */
export interface PusherSender extends Pick<FastifyPusher,
'client' | 'key' | 'trigger' | 'triggerBatch' | 'notify' | 'sendToUser' | 'terminateUserConnections' | 'channelInfo' | 'channelsInfo' | 'presenceUsers' | 'queue'> {
  readonly appId: string
}

export interface FastifyPusherPresenceOptions {
  /** Where the state is kept. Default: in this process's memory. `redisPresenceStore(redis)` shares it. */
  store?: PresenceStore
  /** Channels with members, at most: past it, a member of another channel is not stored (one warning). Default 10000. */
  maxChannels?: number
  /** Members per channel, at most (Pusher's own limit is 100). Default 100. */
  maxMembersPerChannel?: number
  /** How long a departure is remembered, so that an older join delivered late cannot undo it, in ms. Default 600000. */
  historyMs?: number
}

/** A user who came online (entered their first presence channel) or went offline (left their last one). */
export interface PresenceStatusChange {
  userId: string
  /** The channel whose join or departure made the change. */
  channel: string
  /** The delivery's `time_ms` (this server's clock for a change `sync()` made). */
  timeMs: number
}

export type PresenceHandler = (change: PresenceStatusChange) => MaybePromise<unknown>

/** What `presence.sync()` did. */
export interface PresenceSyncResult {
  /** Channels compared with the API. */
  channels: number
  /** Members the store did not hold, now stored. */
  added: number
  /** Members the store held that the API no longer lists, now removed. */
  removed: number
}

/** `app.pusher.presence`: who is online, from the presence webhooks (set only with the `presence` option). */
export interface FastifyPusherPresence {
  /** The user ids in a presence channel. */
  members: (channel: string) => Promise<string[]>
  /** The presence channels a user is in. */
  channelsOf: (userId: string | number) => Promise<string[]>
  /** Whether the user is in at least one presence channel. */
  isOnline: (userId: string | number) => Promise<boolean>
  /** `online`: a user entered their first presence channel; `offline`: they left their last. Once per change, across instances sharing a store. */
  on: (event: 'online' | 'offline', handler: PresenceHandler) => void
  /** Makes the store match the API: one channel's members, or (no channel) every occupied presence channel's. */
  sync: (channel?: string) => Promise<PresenceSyncResult>
}

export interface WebhookDedupeOptions {
  /** How long a handled event is remembered, in ms. Default 600000 (10 minutes: longer than Pusher's retries). */
  ttlMs?: number
  /** The in-memory store's bound: past it, the oldest entries go. Default 100000. */
  maxEntries?: number
  /** How long a request's claim on a delivery holds should it never finish, in ms. Default 60000. */
  lockMs?: number
  /** Where the marks are kept; e.g. `redisDedupeStore(redis)` to share them between app instances. */
  store?: WebhookDedupeStore
}

/** What may be set on one group of the plugin's routes. The plugin's own checks always run too. */
export interface PusherRouteOptions {
  /** Run after the plugin's own "is a handler set?" check, before the body is read. */
  onRequest?: onRequestHookHandler | onRequestHookHandler[]
  /** Run after the body is parsed and validated, before the handler. */
  preHandler?: preHandlerHookHandler | preHandlerHookHandler[]
  /** The route's `config`, e.g. `{ rateLimit: { max: 10, timeWindow: '1 minute' } }` for `@fastify/rate-limit`. */
  config?: FastifyContextConfig
  /** Bytes. Default 65536 on auth and user-auth (a 100-channel batch fits); Fastify's own on webhooks. */
  bodyLimit?: number
  logLevel?: LogLevel
  /** OpenAPI (`@fastify/swagger`): leave these routes out of the document. */
  hide?: boolean
  /** OpenAPI (`@fastify/swagger`): the routes' tags. */
  tags?: string[]
}

export interface FastifyPusherRouteOptions {
  /** POST {prefix}{authPath}; false: not declared. */
  auth?: PusherRouteOptions | false
  /** POST {prefix}{userAuthPath}; false: not declared. */
  userAuth?: PusherRouteOptions | false
  /** POST {prefix}/events/*; false: not declared. */
  webhooks?: PusherRouteOptions | false
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

/** The user pusher-js `signin()` signs in as. `id` (a number is made a string) is required. */
export interface PusherUser {
  id: string | number
  user_info?: Record<string, unknown>
  /** Up to 100 user ids whose online status this user follows. */
  watchlist?: Array<string | number>
}

/** Return the user signing in on `socketId`, or a falsy value to refuse (403). */
export type UserAuthHandler = (request: FastifyRequest, socketId: string) => MaybePromise<PusherUser | null | undefined | false>

/** The kind of an authorizable channel: `private-`, `private-encrypted-` or `presence-`. */
export type ChannelType = 'private' | 'encrypted' | 'presence'

/** What a channel rule is told of the channel: its full name (prefix included), kind and the socket asking. */
export interface ChannelInfo {
  name: string
  type: ChannelType
  socketId: string
}

type PlaceholderNames<Pattern extends string> =
  Pattern extends `${string}{${infer Name}}${infer Rest}` ? Name | PlaceholderNames<Rest> : never

/** The params of a channel pattern: `'orders.{orderId}'` gives `{ orderId: string }`. */
export type ChannelParams<Pattern extends string> = string extends Pattern
  ? Record<string, string>
  : { [Name in PlaceholderNames<Pattern>]: string }

/**
 * Decides a subscription to a channel matching the rule's pattern: `true` allows, a
 * falsy value refuses (403), an object allows and, on a presence channel, is the member.
 */
export type ChannelRuleHandler<Pattern extends string> = (
  request: FastifyRequest,
  params: ChannelParams<Pattern>,
  channel: ChannelInfo
) => MaybePromise<boolean | PresenceMember | null | undefined>

/**
 * Says what to publish on a cache channel that has no cached event (a `cache_miss` webhook): the event
 * (its name defaults to the declaration's `event`), or undefined to publish nothing. Throw to answer
 * 500 and have Pusher retry.
 */
export type CacheChannelLoader<Pattern extends string> = (
  params: ChannelParams<Pattern>,
  channel: string
) => MaybePromise<{ event?: string, data: unknown } | undefined | null>

/** Receives a verified, validated webhook. Throw to answer 500 and have Pusher retry. */
export type WebhookHandler<Payload> = (request: FastifyRequest, payload: Payload) => MaybePromise<unknown>

export interface FastifyPusherWebhooks {
  /** `channel_occupied` / `channel_vacated` at POST {prefix}/events/channel_existence */
  channelExistence: (handler: WebhookHandler<ChannelExistenceWebhook>) => void
  /** `member_added` / `member_removed` at POST {prefix}/events/presence */
  presence: (handler: WebhookHandler<PresenceWebhook>) => void
  /** `client_event` at POST {prefix}/events/client */
  client: (handler: WebhookHandler<ClientEventWebhook>) => void
  /** `subscription_count` at POST {prefix}/events/subscription_count */
  subscriptionCount: (handler: WebhookHandler<SubscriptionCountWebhook>) => void
  /** `cache_miss` at POST {prefix}/events/cache_miss */
  cacheMiss: (handler: WebhookHandler<CacheMissWebhook>) => void
  /**
   * Adds a handler for one event name, or `'*'` for every event (names the plugin does
   * not know included). Handlers run in the order added, one event after the other.
   */
  on: <Name extends WebhookEventName | '*'>(name: Name, handler: WebhookEventHandler<Name>) => void
}

/** An event of a name this plugin does not know (only `'*'` handlers get it, at POST {prefix}/events). */
export interface UnknownWebhookEvent {
  name: string
  [field: string]: unknown
}

/** A verified delivery: its events, normalised. */
export interface WebhookDelivery {
  time_ms: number
  events: Array<WebhookEvent | UnknownWebhookEvent>
}

/** The event a `webhooks.on(name)` handler gets. */
export type WebhookEventOf<Name extends WebhookEventName | '*'> =
  Name extends WebhookEventName ? Extract<WebhookEvent, { name: Name }> : WebhookEvent | UnknownWebhookEvent

/** Handles one event of a verified delivery. Throw to answer 500: Pusher retries, and only the failed events run again. */
export type WebhookEventHandler<Name extends WebhookEventName | '*'> =
  (request: FastifyRequest, event: WebhookEventOf<Name>, delivery: WebhookDelivery) => MaybePromise<unknown>

/**
 * Your events, declared once by declaration merging:
 * `declare module 'fastify-pusher' { interface PusherEvents { 'order.shipped': { orderId: string } } }`.
 * Then trigger, triggerBatch, sendToUser and request.pusher.trigger take only those names,
 * each with its data. Without a declared event, every name and any data are accepted.
 */
export interface PusherEvents {}

/** A declared event name (any string while PusherEvents is empty). */
export type PusherEventName = [keyof PusherEvents] extends [never] ? string : Extract<keyof PusherEvents, string>

/** The data of a declared event (unknown while PusherEvents is empty). */
export type PusherEventData<Event extends string> = Event extends keyof PusherEvents ? PusherEvents[Event] : unknown

/** One event of triggerBatch, checked against PusherEvents. */
/**
 * Your broadcast notifications, declared by merging: the type (Laravel's `broadcastType()`, by default
 * the notification's class name) and its data. Without one, `notify` takes any type and any object.
 */
export interface PusherNotifications {}

/** A declared notification type, or any string when none is declared. */
export type PusherNotificationType = [keyof PusherNotifications] extends [never] ? string : Extract<keyof PusherNotifications, string>

/** The data of a notification type: as declared, or any object. */
export type PusherNotificationData<Type extends string> = Type extends keyof PusherNotifications ? PusherNotifications[Type] : Record<string, unknown>

/** `app.pusher.queue.counts()`: jobs (API calls, each up to `batchSize` events) by state. */
export interface QueueCounts { waiting: number, active: number, delayed: number, failed: number, paused: number }

/** One failed event of `app.pusher.queue.failed()`: never its data. */
export interface QueueFailedEvent {
  id: string
  /** The channel, or for `sendToUser` the user. */
  channel?: string
  user?: string
  event: string
  /** FST_PUSHER_API_ERROR (with the API's statusCode), FST_PUSHER_QUEUE_EXPIRED, ... */
  code: string
  statusCode?: number
  attempts: number
  /** ms since the epoch: when it was first enqueued. */
  enqueuedAt: number
}

/** `app.pusher.queue`: durable sending through BullMQ on Redis (the `queue` option). */
export interface FastifyPusherQueue {
  /** Checked and serialized like `trigger`, then stored: resolves once Redis has it, to its id (`ids` for several channels, in order). */
  trigger: <Event extends PusherEventName>(channel: string | string[], event: Event, data: PusherEventData<Event>, params?: { socket_id?: string, idempotencyKey?: string }) => Promise<{ id: string } & { ids?: string[] }>
  triggerBatch: (events: PusherBatchEvent[]) => Promise<{ ids: string[] }>
  sendToUser: <Event extends PusherEventName>(userId: string | number, event: Event, data: PusherEventData<Event>) => Promise<{ id: string }>
  counts: () => Promise<QueueCounts>
  failed: (options?: { limit?: number }) => Promise<QueueFailedEvent[]>
  retryFailed: () => Promise<{ retried: number }>
  pause: () => Promise<void>
  resume: () => Promise<void>
}

/** The `queue` option: durable sending on BullMQ 6 and Redis. */
export interface FastifyPusherQueueOptions {
  /** An ioredis client: duplicated where BullMQ needs connections of its own, never closed by the plugin. */
  connection: unknown
  /** The BullMQ queue name. Default `'fastify-pusher'`. */
  name?: string
  /** Run a worker in this app (started at ready(), closed with the app). Default true. */
  worker?: boolean
  /** Jobs (API calls) a worker has in flight. Default 16. */
  concurrency?: number
  /** ms after which an event still unsent fails as expired. Default 24 h. */
  maxAgeMs?: number
  /** Retry waits, exponential with jitter. Default 1 s to 60 s. */
  backoff?: { minMs?: number, maxMs?: number }
  /** BullMQ's global rate limiter, shared by every worker: at most `max` jobs per `duration` ms. */
  limiter?: { max: number, duration: number }
  /** How long completed and failed jobs are kept, in ms (defaults: 1 h and 7 days). */
  keep?: { completedMs?: number, failedMs?: number }
}

export type PusherBatchEvent = {
  [Event in PusherEventName]: { channel: string, name: Event, data: PusherEventData<Event>, socket_id?: string, info?: string }
}[PusherEventName]

/** A channel's attributes, when `info` asked for them. */
export interface ChannelAttributes {
  subscription_count?: number
  user_count?: number
}

/** What the API answers: `{}`, or the channels' attributes when `info` was asked (per event for a batch). */
export interface TriggerResponse {
  channels?: Record<string, ChannelAttributes>
  batch?: ChannelAttributes[]
}

export interface FastifyPusher {
  /** The official `pusher` client itself. */
  readonly client: Pusher
  /** The public app key, for pages that start pusher-js. */
  readonly key: string
  /** The client's trigger, with data turned into text by `serialize`. */
  trigger: <Event extends PusherEventName>(channel: string | string[], event: Event, data: PusherEventData<Event>, params?: Pusher.TriggerParams) => Promise<TriggerResponse>
  /** The client's triggerBatch (at most 10 events), with each event's data turned into text by `serialize`. */
  triggerBatch: (events: PusherBatchEvent[]) => Promise<TriggerResponse>
  /**
   * A Laravel broadcast notification, which Laravel Echo's `private(channel).notification(callback)`
   * receives: Laravel's `BroadcastNotificationCreated` event on `private-` + `notificationChannel` of the
   * user (default `App.Models.User.{userId}`), with `{ ...data, id, type }`; `id` is a new UUID, which it
   * resolves to. Checked, serialized and batched like `trigger`.
   */
  notify: <Type extends PusherNotificationType>(userId: string | number, type: Type, data: PusherNotificationData<Type>, params?: Pusher.TriggerParams) => Promise<{ id: string }>
  /** Durable sending (the `queue` option): events stored in Redis, sent by BullMQ workers. Without the option its calls reject with FST_PUSHER_QUEUE_NOT_CONFIGURED. */
  readonly queue: FastifyPusherQueue
  /** An event to a signed-in user (pusher-js `signin()`), serialized and checked like a trigger. */
  sendToUser: <Event extends PusherEventName>(userId: string | number, event: Event, data: PusherEventData<Event>) => Promise<Record<string, never>>
  /** Closes every connection of a signed-in user. */
  terminateUserConnections: (userId: string | number) => Promise<Record<string, never>>
  /** GET /channels/{name}: `{ occupied, subscription_count?, user_count? }` (`info` asks for the attributes). */
  channelInfo: (name: string, options?: { info?: string }) => Promise<{ occupied: boolean } & ChannelAttributes>
  /** GET /channels: the occupied channels, by name. */
  channelsInfo: (options?: { prefix?: string, info?: string }) => Promise<Record<string, ChannelAttributes>>
  /** GET /channels/{name}/users: the members of a presence channel. */
  presenceUsers: (name: string) => Promise<Array<{ id: string }>>
  /** Sets the auth handler. Without one every channel auth request is refused (403). */
  auth: (handler: AuthHandler) => void
  /** Sets the presence member handler. */
  channelData: (handler: ChannelDataHandler) => void
  /** Sets the user authentication handler (pusher-js `signin()`, POST {prefix}{userAuthPath}). */
  userAuth: (handler: UserAuthHandler) => void
  /**
   * Declares a channel rule. The pattern names the channel without its prefix
   * (`'orders.{orderId}'` serves `private-orders.1`, `private-encrypted-orders.1` and
   * `presence-orders.1`); `{name}` matches one or more characters other than `.`.
   * Rules are tried in order; the first that matches decides.
   */
  channel: <Pattern extends string>(pattern: Pattern, handler: ChannelRuleHandler<Pattern>) => void
  /**
   * Answers `cache_miss` for the cache channels `pattern` matches (without the `cache-`,
   * `private-cache-`, `private-encrypted-cache-` or `presence-cache-` prefix): the loader's event is
   * triggered on the channel, once per miss (through the webhook dedupe).
   */
  cacheChannel: <Pattern extends string>(pattern: Pattern, loader: CacheChannelLoader<Pattern>, options?: { event?: string }) => void
  readonly webhooks: FastifyPusherWebhooks
  /** Who is online (the `presence` option): undefined without it. */
  readonly presence?: FastifyPusherPresence
  /** The named apps (`register(fastifyPusher, { name, ... })`), each with this whole API. */
  readonly apps: Readonly<Record<PusherAppName, FastifyPusher>>
  /**
   * The senders of one app, by its app id or key: a tenant (the `tenants` option), its credentials looked up
   * and cached; for a single app, itself. Rejects with FST_PUSHER_UNKNOWN_APP (404) for an app it does not
   * know, FST_PUSHER_TENANT_UNAVAILABLE (503) when the lookup throws or takes longer than `handlerTimeout`.
   */
  forApp: (app: string | number | TenantLookup) => Promise<PusherSender>
}

/**
 * `request.pusher.afterReply`: sends held until the reply has gone out, made only if its status is
 * below 400 (through the queue when one is configured), dropped otherwise. Checked at once (a mistake
 * throws); nothing to await; a later failure is logged, never an unhandled rejection.
 */
export interface AfterReply {
  trigger: <Event extends PusherEventName>(channel: string | string[], event: Event, data: PusherEventData<Event>, params?: Pusher.TriggerParams) => void
  triggerBatch: (events: PusherBatchEvent[]) => void
  sendToUser: <Event extends PusherEventName>(userId: string | number, event: Event, data: PusherEventData<Event>) => void
}

/** `request.pusher`: sending on behalf of the requesting client, whose socket is left out. */
export interface RequestPusher {
  /** The X-Socket-ID header when it is a valid socket id; undefined when absent or malformed. */
  readonly socketId: string | undefined
  trigger: FastifyPusher['trigger']
  triggerBatch: FastifyPusher['triggerBatch']
  notify: FastifyPusher['notify']
  /** `queue.trigger`, `queue.triggerBatch` and `queue.sendToUser`, the requesting socket (read now) left out. */
  queue: Pick<FastifyPusherQueue, 'trigger' | 'triggerBatch' | 'sendToUser'>
  /** Sends held until the reply has gone out with a status below 400 (the requesting socket left out). */
  afterReply: AfterReply
  /**
   * With the `tenants` option: the tenant this request is for, once known (on the plugin's routes, and
   * after a send); its sends go to it (chosen by `tenants.fromRequest` when no route did). Otherwise undefined.
   */
  readonly tenant: PusherTenant | undefined
  /** The named apps' `request.pusher`. */
  readonly apps: Readonly<Record<PusherAppName, RequestPusher>>
}

declare module 'fastify' {
  interface FastifyInstance {
    pusher: FastifyPusher
  }
  interface FastifyRequest {
    pusher: RequestPusher
  }
}
