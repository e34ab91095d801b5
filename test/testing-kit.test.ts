// fastify-pusher/testing, the way an app's own unit tests use it (from the source here, for coverage; import-styles tests the package).
import t from 'tap'
import fastifyPusher from '../index'
import { pusherTestClient, signWebhook } from '../lib/testing'
import { checkedFastify, hmac, MASTER_KEY } from './helpers/app'

t.test('signWebhook signs as Pusher does, ready for app.inject', async (t) => {
  const body = '{"time_ms":1,"events":[]}'
  t.same(signWebhook({ key: 'k', secret: 'SUPERSECRET' }, body), {
    headers: { 'content-type': 'application/json', 'x-pusher-key': 'k', 'x-pusher-signature': hmac(body) },
    payload: body
  })
  const before = Date.now()
  const made = JSON.parse(signWebhook({ key: 'k', secret: 's' }, { events: [{ name: 'cache_miss', channel: 'cache-a' }] }).payload)
  t.ok(made.time_ms >= before && made.time_ms <= Date.now(), 'time_ms defaults to now')
  t.same(made.events, [{ name: 'cache_miss', channel: 'cache-a' }])
  t.equal(JSON.parse(signWebhook({ key: 'k', secret: 's' }, { time_ms: 5, events: [] }).payload).time_ms, 5)

  const app = checkedFastify(t)
  t.teardown(async () => { await app.close() })
  await app.register(fastifyPusher, { appId: '1', key: 'k', secret: 's', webhookMaxAgeMs: 60_000 })
  const seen: string[] = []
  app.pusher.webhooks.on('cache_miss', (request, event) => { seen.push(event.channel) })
  const res = await app.inject({ method: 'POST', url: '/pusher/events/cache_miss', ...signWebhook({ key: 'k', secret: 's' }, { events: [{ name: 'cache_miss', channel: 'cache-a' }] }) })
  t.equal(res.statusCode, 200)
  t.same(seen, ['cache-a'])
})

t.test('pusherTestClient records every event the app sends, instead of sending it', async (t) => {
  const client = pusherTestClient({ encryptionMasterKeyBase64: MASTER_KEY })
  const app = checkedFastify(t)
  t.teardown(async () => { await app.close() })
  await app.register(fastifyPusher, { client })
  app.post('/orders', async (request) => {
    await request.pusher.trigger('orders', 'order.created', { id: 1 })
    return { ok: true }
  })
  await app.inject({ method: 'POST', url: '/orders', headers: { 'x-socket-id': '12.34' } })
  await app.pusher.trigger(['a', 'b'], 'multi', 'text')
  await app.pusher.triggerBatch([{ channel: 'c', name: 'one', data: { n: 1 } }, { channel: 'd', name: 'two', data: [2] }])
  await app.pusher.trigger('private-encrypted-secret', 'sealed', { s: 'hidden' })
  await app.pusher.sendToUser('u1', 'hello', { to: 'you' })
  t.same(client.sent, [
    { channels: ['orders'], event: 'order.created', data: { id: 1 }, socket_id: '12.34' },
    { channels: ['a', 'b'], event: 'multi', data: 'text' },
    { channels: ['c'], event: 'one', data: { n: 1 } },
    { channels: ['d'], event: 'two', data: [2] },
    { channels: ['private-encrypted-secret'], event: 'sealed', data: { s: 'hidden' } },
    { channels: ['#server-to-user-u1'], event: 'hello', data: { to: 'you' } }
  ])
  t.same(client.calls.map((call) => `${call.method} ${call.path}`), ['POST /batch_events', 'POST /events', 'POST /batch_events', 'POST /events', 'POST /events'])
  await app.pusher.terminateUserConnections('u1')
  t.same(client.calls.at(-1), { method: 'POST', path: '/users/u1/terminate_connections', body: {} })
  t.same(await app.pusher.channelInfo('a', { info: 'subscription_count' }), { occupied: false })
  t.same(await app.pusher.channelsInfo(), {})
  t.same(await app.pusher.presenceUsers('presence-a'), [])
  t.equal(client.sent.length, 6, 'queries are calls, not events')
})

t.test('pusherTestClient used directly: the official client\'s own methods record too', async (t) => {
  const client = pusherTestClient()
  const res = await client.trigger('news', 'headline', { title: 'hi' }, { socket_id: '1.1' })
  t.equal(res.status, 200)
  t.same(await res.json(), {})
  await client.triggerBatch([{ channel: 'x', name: 'y', data: 'not json {' }])
  t.same(client.sent, [
    { channels: ['news'], event: 'headline', data: { title: 'hi' }, socket_id: '1.1' },
    { channels: ['x'], event: 'y', data: 'not json {' }
  ])
  t.same(await (await client.get({ path: '/channels' })).json(), { channels: {} })
  t.equal(await (await client.post({ path: '/users/u/terminate_connections', body: '{}' })).text(), '{}')
  t.match(client.authorizeChannel('1.1', 'private-a').auth, /^test-key:[0-9a-f]{64}$/, 'test credentials by default')
})
