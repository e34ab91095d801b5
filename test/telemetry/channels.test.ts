// The diagnostics channels, as a subscriber sees them: the documented order of a tracing channel's
// events, and each message's fields (README, "Observability").
import { AsyncLocalStorage } from 'node:async_hooks'
import diagnosticsChannel from 'node:diagnostics_channel'
import t, { type Test } from 'tap'
import { diagnosticChannels, type PusherApiMessage, type PusherAuthMessage, type PusherQueueMessage, type PusherWebhookMessage } from '../../index'
import { buildApp, hmac, KEY, postForm, postWebhook } from '../helpers/app'
import { fakeApi, rawApi } from '../helpers/fake-api'
import { startRedis } from '../helpers/redis'

type Seen = Array<[string, Record<string, unknown>]>

/** Every event of a tracing channel, in order: [event, a copy of the message as it was then]. */
function watch (t: Test, name: string): Seen {
  const seen: Seen = []
  const handlers = Object.fromEntries(['start', 'end', 'asyncStart', 'asyncEnd', 'error'].map((event) =>
    [event, (message: object) => { seen.push([event, { ...message }]) }]))
  const channel = diagnosticsChannel.tracingChannel(name)
  channel.subscribe(handlers as never)
  t.teardown(() => { channel.unsubscribe(handlers as never) })
  return seen
}

function watchPlain (t: Test, name: string): unknown[] {
  const seen: unknown[] = []
  const record = (message: unknown): void => { seen.push(message) }
  diagnosticsChannel.subscribe(name, record)
  t.teardown(() => { diagnosticsChannel.unsubscribe(name, record) })
  return seen
}

const events = (seen: Seen): string[] => seen.map(([event]) => event)
const done = <M>(seen: Seen): M[] => seen.filter(([event]) => event === 'asyncEnd').map(([, message]) => message as M)

t.test('the names are the documented ones', async (t) => {
  t.same(diagnosticChannels, {
    api: 'fastify-pusher.api',
    auth: 'fastify-pusher.auth',
    webhook: 'fastify-pusher.webhook',
    webhookEvent: 'fastify-pusher.webhook.event',
    queue: 'fastify-pusher.queue',
    batch: 'fastify-pusher.batch'
  })
  t.ok(Object.isFrozen(diagnosticChannels))
})

t.test('fastify-pusher.api: one operation per attempt; start, end, then asyncStart and asyncEnd (error first on a failure)', async (t) => {
  const seen = watch(t, diagnosticChannels.api)
  let calls = 0
  const api = await fakeApi(t, () => ++calls === 1 ? { status: 200, body: { error: 'over quota', code: 429 } } : { status: 200 })
  const app = await buildApp(t, { ...api.options, retries: 1, batching: false })
  await app.pusher.trigger(['a', 'b'], 'e', { x: 1 })
  t.same(events(seen), ['start', 'end', 'error', 'asyncStart', 'asyncEnd', 'start', 'end', 'asyncStart', 'asyncEnd'])
  const [first, second] = done<PusherApiMessage>(seen)
  const bytes = Buffer.byteLength(JSON.stringify(api.calls[0].body))
  t.same(first, { method: 'POST', kind: 'events', events: 1, channels: 2, bytes, attempt: 1, status: 429, errorCode: 'FST_PUSHER_API_ERROR' },
    'soketi\'s refusal with a 200: the status it carries, and a 429 retried')
  t.same(second, { method: 'POST', kind: 'events', events: 1, channels: 2, bytes, attempt: 2, status: 200 })
  t.same(seen[0][1], { method: 'POST', kind: 'events', events: 1, channels: 2, bytes, attempt: 1 }, 'at start: what is sent; the status comes when done')

  seen.length = 0
  await app.pusher.channelsInfo()
  t.same(done(seen), [{ method: 'GET', kind: 'channels', events: 0, channels: 0, bytes: 0, attempt: 1, status: 200 }])
  seen.length = 0
  await app.pusher.triggerBatch([{ channel: 'a', name: 'e', data: 1 }, { channel: 'b', name: 'e', data: 2 }, { channel: 'a', name: 'e', data: 3 }])
  t.match(done(seen), [{ kind: 'batch_events', events: 3, channels: 2 }])
})

t.test('fastify-pusher.api: a call that cannot connect has a code and no status', async (t) => {
  const seen = watch(t, diagnosticChannels.api)
  const app = await buildApp(t, { host: '127.0.0.1', port: 1, useTLS: false, retries: 0, batching: false })
  await t.rejects(app.pusher.trigger('a', 'e', 1), { code: 'FST_PUSHER_API_UNREACHABLE' })
  t.same(done(seen), [{ method: 'POST', kind: 'events', events: 1, channels: 1, bytes: done<PusherApiMessage>(seen)[0].bytes, attempt: 1, errorCode: 'FST_PUSHER_API_UNREACHABLE' }])
})

t.test('fastify-pusher.batch: size, wait, what is still queued, calls in flight', async (t) => {
  const seen = watchPlain(t, diagnosticChannels.batch) as Array<{ size: number, waitMs: number, queued: number, inFlight: number }>
  const api = await fakeApi(t)
  const app = await buildApp(t, { ...api.options, maxInFlight: 1 })
  await Promise.all(Array.from({ length: 25 }, async (_, n) => await app.pusher.trigger('chat', 'e', n)))
  t.same(seen.map(({ size, queued, inFlight }) => [size, queued, inFlight]), [[10, 0, 1], [10, 5, 1], [5, 0, 1]], 'one call at a time: the first batch goes as soon as it is full, the rest waits')
  t.ok(seen.every(({ waitMs }) => waitMs >= 0), 'waits measured')
  t.ok(seen[2].waitMs >= seen[0].waitMs, 'the last batch waited for the two before it')
})

t.test('fastify-pusher.auth: synchronous decisions complete at once; the result, the rule\'s pattern, no channel name', async (t) => {
  const seen = watch(t, diagnosticChannels.auth)
  const app = await buildApp(t, { handlerTimeout: 50 })
  app.pusher.channel('orders.{id}', (_request, { id }) => id === '1')
  app.pusher.channel('slow.{id}', async () => await new Promise<boolean>(() => {}))
  app.pusher.channel('broken.{id}', () => { throw new Error('INTERNAL') })
  app.pusher.auth(async () => true)
  const statuses = []
  for (const channel of ['private-orders.1', 'private-orders.2', 'private-slow.1', 'private-broken.1', 'presence-room', 'private-encrypted-x']) {
    statuses.push((await postForm(app, '/pusher/auth', `socket_id=1.1&channel_name=${channel}`)).statusCode)
  }
  t.same(statuses, [200, 403, 503, 500, 200, 404])
  t.same(events(seen).slice(0, 4), ['start', 'end', 'asyncStart', 'asyncEnd'], 'a synchronous decision')
  t.same(done<PusherAuthMessage>(seen), [
    { route: '/pusher/auth', type: 'private', pattern: 'orders.{id}', result: 'allowed' },
    { route: '/pusher/auth', type: 'private', pattern: 'orders.{id}', result: 'refused', errorCode: 'FST_PUSHER_FORBIDDEN' },
    { route: '/pusher/auth', type: 'private', pattern: 'slow.{id}', result: 'timeout', errorCode: 'FST_PUSHER_HANDLER_TIMEOUT' },
    { route: '/pusher/auth', type: 'private', pattern: 'broken.{id}', result: 'error', errorCode: 'FST_PUSHER_HANDLER_FAILED' },
    { route: '/pusher/auth', type: 'presence', result: 'allowed' },
    { route: '/pusher/auth', type: 'encrypted', result: 'refused', errorCode: 'FST_PUSHER_ENCRYPTION_NOT_CONFIGURED' }
  ], 'the auth handler decided the presence channel (no pattern); the encrypted channel is refused: no master key')
})

t.test('fastify-pusher.auth: each channel of a pusher-js-auth batch on its own', async (t) => {
  const seen = watch(t, diagnosticChannels.auth)
  const app = await buildApp(t)
  app.pusher.auth((_request, channel) => channel !== 'private-b')
  const reply = await postForm(app, '/pusher/auth', 'socket_id=1.1&channel_name[0]=private-a&channel_name[1]=private-b&channel_name[2]=private-a')
  t.equal(reply.statusCode, 200)
  t.same(done<PusherAuthMessage>(seen).map((message) => message.result), ['allowed', 'refused'], 'each distinct channel once')
})

t.test('fastify-pusher.webhook and fastify-pusher.webhook.event: outcomes per delivery and per event', async (t) => {
  const seen = watch(t, diagnosticChannels.webhook)
  const perEvent = watchPlain(t, diagnosticChannels.webhookEvent)
  const app = await buildApp(t)
  let failOnce = true
  app.pusher.webhooks.on('channel_occupied', () => {})
  app.pusher.webhooks.on('channel_vacated', () => { if (failOnce) { failOnce = false; throw new Error('once') } })
  let release: () => void = () => {}
  app.pusher.webhooks.on('member_added', async () => { await new Promise<void>((resolve) => { release = resolve }) })
  const body = JSON.stringify({ time_ms: 1, events: [{ name: 'channel_occupied', channel: 'c' }, { name: 'channel_vacated', channel: 'c' }] })
  t.equal((await postWebhook(app, 'channel_existence', body)).statusCode, 500, 'one handler failed')
  t.equal((await postWebhook(app, 'channel_existence', body)).statusCode, 200, 'the retry runs what failed')
  const slow = JSON.stringify({ time_ms: 2, events: [{ name: 'member_added', channel: 'presence-r', user_id: '1' }] })
  const first = postWebhook(app, 'presence', slow)
  for (let i = 0; i < 100 && done(seen).length < 2; i++) await new Promise((resolve) => setTimeout(resolve, 5))
  t.equal((await postWebhook(app, 'presence', slow)).statusCode, 409, 'a copy while the first runs')
  release()
  t.equal((await first).statusCode, 200)
  const messages = done<PusherWebhookMessage>(seen)
  t.same(messages.map(({ route, events, outcome, errorCode }) => ({ route, events, outcome, errorCode })), [
    { route: '/pusher/events/channel_existence', events: 2, outcome: 'failed', errorCode: 'FST_PUSHER_HANDLER_FAILED' },
    { route: '/pusher/events/channel_existence', events: 2, outcome: 'handled', errorCode: undefined },
    { route: '/pusher/events/presence', events: 1, outcome: 'in-progress', errorCode: 'FST_PUSHER_WEBHOOK_IN_PROGRESS' },
    { route: '/pusher/events/presence', events: 1, outcome: 'handled', errorCode: undefined }
  ])
  t.ok(messages.every((message) => typeof message.storeMs === 'number' && message.storeMs >= 0), 'the time in the dedupe store')
  t.same(perEvent, [
    { route: '/pusher/events/channel_existence', event: 'channel_occupied', outcome: 'handled' },
    { route: '/pusher/events/channel_existence', event: 'channel_vacated', outcome: 'failed' },
    { route: '/pusher/events/channel_existence', event: 'channel_occupied', outcome: 'duplicate' },
    { route: '/pusher/events/channel_existence', event: 'channel_vacated', outcome: 'handled' },
    { route: '/pusher/events/presence', event: 'member_added', outcome: 'in-progress' },
    { route: '/pusher/events/presence', event: 'member_added', outcome: 'handled' }
  ])
})

t.test('fastify-pusher.webhook: without dedupe, a category handler\'s events; an unknown name is "other"', async (t) => {
  const seen = watch(t, diagnosticChannels.webhook)
  const perEvent = watchPlain(t, diagnosticChannels.webhookEvent)
  const app = await buildApp(t, { webhookDedupe: false })
  app.pusher.webhooks.presence(() => {})
  app.pusher.webhooks.on('*', () => {})
  const body = JSON.stringify({ time_ms: 1, events: [{ name: 'member_added', channel: 'presence-r', user_id: '1' }, { name: 'made_up', channel: 'c' }] })
  const all = await app.inject({ method: 'POST', url: '/pusher/events', payload: body, headers: { 'content-type': 'application/json', 'x-pusher-key': KEY, 'x-pusher-signature': hmac(body) } })
  t.equal(all.statusCode, 200)
  t.equal((await postWebhook(app, 'presence', body)).statusCode, 200)
  t.match(done<PusherWebhookMessage>(seen), [{ outcome: 'handled' }, { outcome: 'handled' }])
  t.ok(done<PusherWebhookMessage>(seen).every((message) => !('storeMs' in message)), 'no store time without dedupe')
  t.same(perEvent, [
    { route: '/pusher/events', event: 'member_added', outcome: 'handled' },
    { route: '/pusher/events', event: 'other', outcome: 'handled' },
    { route: '/pusher/events/presence', event: 'member_added', outcome: 'handled' }
  ])
})

t.test('fastify-pusher.queue: enqueue, then the job\'s attempts', async (t) => {
  const seen = watch(t, diagnosticChannels.queue)
  const redis = await startRedis(t)
  let calls = 0
  const api = await fakeApi(t, () => ++calls === 1 ? { status: 503 } : { status: 200 })
  const app = await buildApp(t, { ...api.options, retries: 0, queue: { connection: redis.client(), backoff: { minMs: 10, maxMs: 10 } } })
  await app.ready()
  await app.pusher.queue.triggerBatch([{ channel: 'a', name: 'e', data: 1 }, { channel: 'b', name: 'e', data: 2 }])
  for (let i = 0; i < 400 && done(seen).length < 3; i++) await new Promise((resolve) => setTimeout(resolve, 25))
  const messages = done<PusherQueueMessage>(seen)
  t.same(messages.map(({ operation, events, attempt, outcome, errorCode }) => ({ operation, events, attempt, outcome, errorCode })), [
    { operation: 'enqueue', events: 2, attempt: undefined, outcome: 'stored', errorCode: undefined },
    { operation: 'job', events: 2, attempt: 1, outcome: 'retry', errorCode: 'FST_PUSHER_API_ERROR' },
    { operation: 'job', events: 2, attempt: 2, outcome: 'sent', errorCode: undefined }
  ])
  t.ok((messages[2].waitMs ?? -1) >= (messages[1].waitMs ?? 0), 'the wait since enqueueing grows')
})

t.test('fastify-pusher.webhook alone: the delivery\'s outcome, no event message built', async (t) => {
  const seen = watch(t, diagnosticChannels.webhook)
  t.notOk(diagnosticsChannel.hasSubscribers(diagnosticChannels.webhookEvent), 'no one listens for events')
  const app = await buildApp(t)
  app.pusher.webhooks.on('channel_occupied', () => {})
  const body = JSON.stringify({ time_ms: 3, events: [{ name: 'channel_occupied', channel: 'c' }] })
  t.equal((await postWebhook(app, 'channel_existence', body)).statusCode, 200)
  t.match(done<PusherWebhookMessage>(seen), [{ route: '/pusher/events/channel_existence', events: 1, outcome: 'handled' }])
})

t.test('fastify-pusher.webhook: a delivery with nothing for this route to run is handled, with no event message', async (t) => {
  const seen = watch(t, diagnosticChannels.webhook)
  const perEvent = watchPlain(t, diagnosticChannels.webhookEvent)
  const app = await buildApp(t)
  app.pusher.webhooks.on('member_added', () => {})
  const body = JSON.stringify({ time_ms: 4, events: [{ name: 'channel_occupied', channel: 'c' }] })
  const reply = await app.inject({ method: 'POST', url: '/pusher/events', payload: body, headers: { 'content-type': 'application/json', 'x-pusher-key': KEY, 'x-pusher-signature': hmac(body) } })
  t.equal(reply.statusCode, 200)
  t.same(done<PusherWebhookMessage>(seen), [{ route: '/pusher/events', events: 1, outcome: 'handled' }], 'no store call, no store time')
  t.same(perEvent, [])
})

t.test('fastify-pusher.webhook: a dedupe store that fails before any handler ran: the events failed, the time in it counted', async (t) => {
  for (const how of ['throws', 'rejects'] as const) {
    const seen = watch(t, diagnosticChannels.webhook)
    const perEvent = watchPlain(t, diagnosticChannels.webhookEvent)
    const failing = () => { if (how === 'throws') throw new Error('down'); return Promise.reject(new Error('down')) }
    const app = await buildApp(t, { webhookDedupe: { store: { claim: failing, done: () => {}, release: () => {} } as never } })
    let calls = 0
    app.pusher.webhooks.on('channel_occupied', () => { calls++ })
    const body = JSON.stringify({ time_ms: 5, events: [{ name: 'channel_occupied', channel: 'c' }] })
    t.equal((await postWebhook(app, 'channel_existence', body)).statusCode, 500, `a store that ${how}`)
    t.equal(calls, 0)
    const [message] = done<PusherWebhookMessage>(seen)
    t.match(message, { outcome: 'failed', errorCode: 'FST_PUSHER_WEBHOOK_DEDUPE_FAILED' })
    t.ok(typeof message.storeMs === 'number' && message.storeMs >= 0, 'the failed call\'s time')
    t.same(perEvent.slice(-1), [{ route: '/pusher/events/channel_existence', event: 'channel_occupied', outcome: 'failed' }], 'not handled: it never ran')
  }
})

t.test('fastify-pusher.api: a timeout after the answer\'s headers has no status', async (t) => {
  const seen = watch(t, diagnosticChannels.api)
  const api = await rawApi(t, (req, res) => { res.writeHead(200, { 'content-type': 'application/json' }); res.write('{') })
  const app = await buildApp(t, { host: '127.0.0.1', port: api.port, useTLS: false, retries: 0, batching: false, timeout: 200 })
  await t.rejects(app.pusher.trigger('a', 'e', 1), { code: 'FST_PUSHER_API_TIMEOUT' })
  const [message] = done<PusherApiMessage>(seen)
  t.equal(message.errorCode, 'FST_PUSHER_API_TIMEOUT')
  t.notOk('status' in message, 'the 200 of the headers is not the call\'s status')
})

t.test('an auto-batched call runs in its first caller\'s async context, even when it waited for the call before', async (t) => {
  const store = new AsyncLocalStorage<string>()
  const contexts: Array<string | undefined> = []
  const onStart = (): void => { contexts.push(store.getStore()) }
  const channel = diagnosticsChannel.tracingChannel(diagnosticChannels.api)
  channel.start.subscribe(onStart)
  t.teardown(() => { channel.start.unsubscribe(onStart) })
  const api = await fakeApi(t, () => ({ delayMs: 100 }))
  const app = await buildApp(t, { ...api.options, maxInFlight: 1 })
  const first = store.run('first', async () => await app.pusher.trigger('a', 'e', 1))
  await new Promise((resolve) => setImmediate(resolve))
  const second = store.run('second', async () => await app.pusher.trigger('b', 'e', 2))
  await Promise.all([first, second])
  t.same(contexts, ['first', 'second'], 'the second batch was sent when the first call ended, in its own caller\'s context')
})
