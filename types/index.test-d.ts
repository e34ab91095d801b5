import Fastify, { type FastifyRequest } from 'fastify'
import Pusher from 'pusher'
import { expectAssignable, expectError, expectType } from 'tsd'
import fastifyPusher, {
  fastifyPusher as named,
  diagnosticChannels,
  type PusherApiMessage,
  type PusherAuthMessage,
  type PusherAuthResult,
  type PusherBatchMessage,
  type PusherQueueMessage,
  type PusherTelemetry,
  type PusherWebhookEventMessage,
  type PusherWebhookMessage,
  type AuthHandler,
  type ChannelInfo,
  type ChannelParams,
  type ChannelRuleHandler,
  type ChannelExistenceWebhook,
  type ClientEventWebhook,
  type FastifyPusher,
  type FastifyPusherOptions,
  type PresenceWebhook,
  type TriggerResponse,
  type UnknownWebhookEvent,
  type WebhookDedupeStore,
  type WebhookDelivery,
  type WebhookEvent,
  memoryDedupeStore,
  redisDedupeStore,
  memoryPresenceStore,
  redisPresenceStore,
  type FastifyPusherPresence,
  type PresenceChange,
  type PresenceLimits,
  type PresenceOutcome,
  type PresenceStatusChange,
  type PresenceStore,
  type PresenceSyncResult,
  type RedisLike
} from '..'
import Redis from 'ioredis'
import { authRequest, cacheMissWebhook, presenceWebhook, pusherTestClient, signWebhook, type ScriptedFailure, type SentEvent } from '../dist/lib/testing'
import * as fastifyPusherCjs from '..'

const app = Fastify()

// Every import style is the plugin.
app.register(fastifyPusher, { appId: '1', key: 'k', secret: 's', cluster: 'eu' })
app.register(named, { url: 'https://k:s@api-eu.pusher.com/apps/1' })
app.register(fastifyPusherCjs.default, { client: new Pusher({ appId: '1', key: 'k', secret: 's', cluster: 'eu' }) })
app.register(fastifyPusherCjs.default, {})
app.register(fastifyPusherCjs.fastifyPusher, { prefix: '/realtime', authPath: '/sign' })

// Options are checked.
expectAssignable<FastifyPusherOptions>({ port: 6001, useTLS: false, timeout: 1000, serialize: (data: unknown) => JSON.stringify(data) })
expectAssignable<FastifyPusherOptions>({ port: '6001', appId: 7 })
expectError(app.register(fastifyPusher, { useTLS: 'yes' }))
expectError(app.register(fastifyPusher, { serialize: 'json' }))

// fastify.pusher is typed by importing the plugin.
expectType<FastifyPusher>(app.pusher)
expectType<Pusher>(app.pusher.client)
expectType<string>(app.pusher.key)
expectType<Promise<TriggerResponse>>(app.pusher.trigger('chat', 'message', { text: 'hi' }))
expectType<Promise<TriggerResponse>>(app.pusher.trigger(['a', 'b'], 'message', 'text', { socket_id: '1.2' }))
expectType<Promise<TriggerResponse>>(app.pusher.triggerBatch([{ channel: 'a', name: 'e', data: {} }]))

// Handlers: sync or async, typed arguments and payloads.
app.pusher.auth(async (request, channelName, socketId) => {
  expectType<FastifyRequest>(request)
  expectType<string>(channelName)
  expectType<string>(socketId)
  return true
})
app.pusher.auth(() => false)
expectError(app.pusher.auth(() => 'yes'))
expectAssignable<AuthHandler>(async () => true)
app.pusher.channelData(() => ({ user_id: 'u1', user_info: { name: 'Ann' } }))
app.pusher.channelData(async () => ({ user_id: 42 }))
app.pusher.channelData(() => undefined)
expectError(app.pusher.channelData(() => ({ user_id: true })))

app.pusher.webhooks.channelExistence(async (request, payload) => {
  expectType<ChannelExistenceWebhook>(payload)
  expectType<number>(payload.time_ms)
  expectType<'channel_occupied' | 'channel_vacated'>(payload.events[0].name)
})
app.pusher.webhooks.presence((request, payload) => {
  expectType<PresenceWebhook>(payload)
  expectType<string>(payload.events[0].user_id)
})
app.pusher.webhooks.client((request, payload) => {
  expectType<ClientEventWebhook>(payload)
  expectType<string>(payload.events[0].event)
  expectType<string | undefined>(payload.events[0].user_id)
})
expectError(app.pusher.webhooks.unknown(() => {}))
app.pusher.webhooks.client((request, payload) => { expectType<string>(payload.events[0].data) })
app.pusher.webhooks.subscriptionCount((request, payload) => { expectType<number>(payload.events[0].subscription_count) })
app.pusher.webhooks.cacheMiss((request, payload) => { expectType<'cache_miss'>(payload.events[0].name) })

// webhooks.on: the event is typed by its name; '*' gets every event, unknown names included.
app.pusher.webhooks.on('member_added', (request, event, delivery) => {
  expectType<'member_added'>(event.name)
  expectType<string>(event.user_id)
  expectType<number>(delivery.time_ms)
  expectType<WebhookDelivery>(delivery)
})
app.pusher.webhooks.on('client_event', async (request, event) => {
  expectType<string>(event.data)
  expectType<string>(event.socket_id)
})
app.pusher.webhooks.on('subscription_count', (request, event) => { expectType<number>(event.subscription_count) })
app.pusher.webhooks.on('*', (request, event) => {
  expectType<WebhookEvent | UnknownWebhookEvent>(event)
  expectType<string>(event.name)
})
expectError(app.pusher.webhooks.on('member_add', () => {}))
expectError(app.pusher.webhooks.on('member_added', (request, event) => event.subscription_count))

// The webhook options.
expectAssignable<FastifyPusherOptions>({ webhookDedupe: false, webhookKeys: [{ key: 'k2', secret: 's2' }], webhookMaxAgeMs: 300000 })
expectAssignable<FastifyPusherOptions>({ webhookDedupe: { ttlMs: 1, maxEntries: 2, lockMs: 3, store: memoryDedupeStore({ maxEntries: 5 }) } })
expectAssignable<FastifyPusherOptions>({ webhookDedupe: { store: redisDedupeStore(new Redis()) } })
expectError<FastifyPusherOptions>({ webhookKeys: ['k2:s2'] })
const customStore: WebhookDedupeStore = {
  claim: async (delivery: string, units: string[]) => units.map((): 'claimed' => 'claimed'),
  done: () => {},
  release: async () => {}
}
expectAssignable<FastifyPusherOptions>({ webhookDedupe: { store: customStore } })

// The testing kit.
const testClient = pusherTestClient({ key: 'k' })
expectAssignable<Pusher>(testClient)
expectType<SentEvent[]>(testClient.sent)
expectType<string[]>(testClient.sent[0].channels)
expectType<string>(signWebhook({ key: 'k', secret: 's' }, { events: [] }).headers['x-pusher-signature'])
expectType<string>(signWebhook({ key: 'k', secret: 's' }, '{}').payload)
pusherTestClient({ channels: { 'presence-a': { subscription_count: 2 } }, users: { 'presence-a': ['ann'] }, fail: (call) => call.path === '/events' ? { status: 413 } : undefined })
expectAssignable<ScriptedFailure>('timeout')
expectError(pusherTestClient({ fail: () => 'slow' }))
expectError(pusherTestClient({ users: { 'presence-a': [1] } }))
expectType<string>(authRequest({ socketId: '1.2', channels: ['private-a'] }).payload)
expectType<string>(presenceWebhook({ key: 'k', secret: 's' }, { channel: 'presence-a', added: ['ann'] }).headers['x-pusher-signature'])
expectType<string>(cacheMissWebhook({ key: 'k', secret: 's' }, 'cache-a').payload)
app.register(fastifyPusher, { client: testClient })

// User sign-in: sync or async, a user or a falsy value.
app.pusher.userAuth(async (request, socketId) => {
  expectType<FastifyRequest>(request)
  expectType<string>(socketId)
  return { id: 'ann', user_info: { name: 'Ann' }, watchlist: ['bob', 7] }
})
app.pusher.userAuth(() => ({ id: 42 }))
app.pusher.userAuth(() => null)
app.pusher.userAuth(() => false)
expectError(app.pusher.userAuth(() => ({ user_info: {} })))
expectError(app.pusher.userAuth(() => ({ id: true })))

// Channel rules: params typed from the pattern.
app.pusher.channel('orders.{orderId}.items.{itemId}', (request, params, channel) => {
  expectType<{ orderId: string, itemId: string }>(params)
  expectType<ChannelInfo>(channel)
  expectType<string>(channel.name)
  expectType<'private' | 'encrypted' | 'presence'>(channel.type)
  expectType<string>(channel.socketId)
  return true
})
app.pusher.channel('lobby', (request, params) => {
  expectType<{}>(params)
  return false
})
app.pusher.channel('rooms.{roomId}', async (request, { roomId }) => ({ user_id: roomId, user_info: { room: roomId } }))
expectError(app.pusher.channel('orders.{orderId}', (request, params) => params.itemId === '1'))
expectError(app.pusher.channel('x', () => 'yes'))
expectType<{ a: string, b: string }>({} as ChannelParams<'{a}.{b}'>)
expectType<Record<string, string>>({} as ChannelParams<string>)
expectAssignable<ChannelRuleHandler<'chat.{room}'>>((request, { room }) => room === 'lobby')

// Route options.
app.register(fastifyPusher, {
  userAuthPath: '/sign-in',
  routeOptions: {
    auth: { onRequest: async () => {}, preHandler: [async () => {}], config: {}, bodyLimit: 1024, logLevel: 'warn', hide: false, tags: ['pusher'] },
    userAuth: { bodyLimit: 512 },
    webhooks: { hide: true }
  }
})
expectError(app.register(fastifyPusher, { routeOptions: { auth: { bodyLimit: '1kb' } } }))
expectError(app.register(fastifyPusher, { routeOptions: { other: {} } }))

// Sending: parsed answers, the server API, request.pusher.
expectType<Promise<Record<string, never>>>(app.pusher.sendToUser('ann', 'notice', { text: 'hi' }))
expectType<Promise<Record<string, never>>>(app.pusher.terminateUserConnections(42))
app.pusher.channelInfo('presence-room', { info: 'user_count' }).then((info) => {
  expectType<boolean>(info.occupied)
  expectType<number | undefined>(info.user_count)
})
app.pusher.presenceUsers('presence-room').then((users) => { expectType<string>(users[0].id) })
app.pusher.channelsInfo({ prefix: 'presence-' }).then((channels) => { expectType<number | undefined>(channels.x.subscription_count) })
app.pusher.trigger('chat', 'e', 1, { info: 'subscription_count' }).then((answer) => {
  expectType<number | undefined>(answer.channels?.chat.subscription_count)
})
app.post('/ship', async (request) => {
  expectType<string | undefined>(request.pusher.socketId)
  expectType<TriggerResponse>(await request.pusher.trigger('orders', 'shipped', { id: 1 }))
  await request.pusher.triggerBatch([{ channel: 'a', name: 'b', data: 1 }])
  expectType<{ id: string }>(await request.pusher.notify(7, 'App\\Notifications\\InvoicePaid', { invoiceId: 3 }))
})
// Durable sending and sends tied to the reply.
expectAssignable<FastifyPusherOptions>({ queue: { connection: {}, name: 'q', worker: false, concurrency: 4, maxAgeMs: 1000, backoff: { minMs: 10 }, limiter: { max: 10, duration: 1000 }, keep: { failedMs: 1 } } })
expectError(app.register(fastifyPusher, { queue: { connection: {}, concurrency: '4' } }))
app.pusher.queue.trigger('chat', 'e', { n: 1 }, { idempotencyKey: 'k' }).then((stored) => { expectType<string>(stored.id) })
app.pusher.queue.triggerBatch([{ channel: 'a', name: 'b', data: 1 }]).then((stored) => { expectType<string[]>(stored.ids) })
app.pusher.queue.counts().then((counts) => { expectType<number>(counts.paused) })
app.pusher.queue.failed({ limit: 5 }).then((failed) => { expectType<string>(failed[0].code); expectType<number | undefined>(failed[0].statusCode) })
expectType<Promise<{ retried: number }>>(app.pusher.queue.retryFailed())
app.post('/after', async (request) => {
  expectType<void>(request.pusher.afterReply.trigger('orders', 'shipped', { id: 1 }))
  expectType<void>(request.pusher.afterReply.sendToUser('ann', 'notice', 1))
  expectType<{ id: string }>(await request.pusher.queue.sendToUser('ann', 'notice', 1))
})

// Laravel broadcast notifications: without declared ones, any type and any object.
expectType<Promise<{ id: string }>>(app.pusher.notify(7, 'App\\Notifications\\InvoicePaid', { invoiceId: 3 }))
app.pusher.notify('ann', 'welcome', {}, { socket_id: '1.2' })
expectError(app.pusher.notify('ann', 'welcome', 'text'))
expectError(app.pusher.notify(null, 'welcome', {}))
expectAssignable<FastifyPusherOptions>({ notificationChannel: 'App.Models.Admin.{userId}' })
expectAssignable<FastifyPusherOptions>({ notificationChannel: (userId: string) => `users.${userId}` })
expectError(app.register(fastifyPusher, { notificationChannel: 5 }))
expectAssignable<FastifyPusherOptions>({ retries: 0, retryUnsafe: true, batching: false, batchSize: 10, maxInFlight: 16, maxEventBytes: 20000, closeTimeout: 5000 })
expectError(app.register(fastifyPusher, { closeTimeout: '5s' }))
expectError(app.register(fastifyPusher, { batching: 'no' }))

// Without declared events: any name, any data.
app.pusher.trigger('chat', 'anything', { any: 'thing' })
app.pusher.triggerBatch([{ channel: 'a', name: 'whatever', data: 42 }])
app.pusher.sendToUser('ann', 'x', null)

// Observability: the channel names and messages, a typed public contract.
expectType<'fastify-pusher.api'>(diagnosticChannels.api)
expectType<'fastify-pusher.webhook.event'>(diagnosticChannels.webhookEvent)
expectAssignable<PusherApiMessage>({ method: 'POST', kind: 'batch_events', events: 10, channels: 1, bytes: 300, attempt: 1, status: 200 })
expectError<PusherApiMessage>({ method: 'PUT', kind: 'events', events: 1, channels: 1, bytes: 1, attempt: 1 })
expectAssignable<PusherAuthMessage>({ route: '/pusher/auth', type: 'presence', pattern: 'rooms.{id}', result: 'refused', errorCode: 'FST_PUSHER_FORBIDDEN' })
expectError<PusherAuthMessage>({ route: '/pusher/auth', type: 'public' })
expectType<PusherAuthResult | undefined>(({} as PusherAuthMessage).result)
expectAssignable<PusherWebhookMessage>({ route: '/pusher/events', events: 2, outcome: 'in-progress', storeMs: 0.2 })
expectAssignable<PusherWebhookEventMessage>({ route: '/pusher/events', event: 'member_added', outcome: 'duplicate' })
expectError<PusherWebhookEventMessage>({ route: '/pusher/events', event: 'member_added', outcome: 'lost' })
expectAssignable<PusherQueueMessage>({ operation: 'job', events: 3, attempt: 2, waitMs: 10, outcome: 'retry' })
expectAssignable<PusherBatchMessage>({ size: 10, waitMs: 0.1, queued: 5, inFlight: 2 })
expectAssignable<PusherTelemetry>({ close: () => {} })

// Cache channels: the loader's params typed by the pattern.
app.pusher.cacheChannel('orders.{orderId}', ({ orderId }, channel) => {
  expectType<string>(orderId)
  expectType<string>(channel)
  return { event: 'order.state', data: { id: orderId } }
})
app.pusher.cacheChannel('rooms.{room}', async () => undefined, { event: 'room.state' })
expectError(app.pusher.cacheChannel('orders.{orderId}', ({ nope }) => ({ data: nope })))
expectError(app.pusher.cacheChannel('orders.{orderId}', () => ({ event: 'x' })))
expectError(app.pusher.cacheChannel('orders.{orderId}', () => ({ data: 1 }), { event: 5 }))

// Presence on the server: the option, the store types, and app.pusher.presence (set only with the option).
expectAssignable<FastifyPusherOptions>({ presence: true })
expectAssignable<FastifyPusherOptions>({ presence: { store: redisPresenceStore({} as RedisLike, { prefix: 'p:' }), maxChannels: 10, maxMembersPerChannel: 5, historyMs: 1000 } })
expectAssignable<FastifyPusherOptions>({ presence: { store: memoryPresenceStore() } })
expectError<FastifyPusherOptions>({ presence: 'yes' })
expectError<FastifyPusherOptions>({ presence: { maxChannels: '10' } })
expectAssignable<FastifyPusherOptions>({ routeOptions: { auth: false, userAuth: false, webhooks: false } })
const customPresenceStore: PresenceStore = {
  apply: (changes: readonly PresenceChange[], limits: PresenceLimits): PresenceOutcome[] => changes.map(() => limits.maxChannels > 0 ? 'same' : 'full'),
  members: async () => [],
  channelsOf: () => [],
  channels: () => []
}
expectAssignable<FastifyPusherOptions>({ presence: { store: customPresenceStore } })
expectError<PresenceStore>({ apply: () => ['gone'], members: () => [], channelsOf: () => [], channels: () => [] })
expectType<FastifyPusherPresence | undefined>(app.pusher.presence)
const presence = app.pusher.presence!
expectType<Promise<string[]>>(presence.members('presence-room'))
expectType<Promise<string[]>>(presence.channelsOf(7))
expectType<Promise<boolean>>(presence.isOnline('ann'))
expectType<Promise<PresenceSyncResult>>(presence.sync())
expectType<Promise<PresenceSyncResult>>(presence.sync('presence-room'))
presence.on('online', (change) => {
  expectType<PresenceStatusChange>(change)
  expectType<string>(change.userId)
  expectType<string>(change.channel)
  expectType<number>(change.timeMs)
})
presence.on('offline', async () => {})
expectError(presence.on('away', () => {}))
expectError(presence.members())

// A server under a path.
expectAssignable<FastifyPusherOptions>({ appId: '1', key: 'k', secret: 's', host: 'ws.example.com', path: '/ws-path' })
expectError<FastifyPusherOptions>({ path: 5 })

// Named apps, none declared: any name.
expectType<FastifyPusher>(app.pusher.apps.anything)
expectAssignable<FastifyPusherOptions>({ name: 'eu' })
expectError<FastifyPusherOptions>({ name: 5 })
