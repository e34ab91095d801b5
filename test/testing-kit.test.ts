// fastify-pusher/testing, the way an app's own unit tests use it (from the source here, for coverage; import-styles tests the package).
import t from 'tap'
import fastifyPusher from '../index'
import { authRequest, cacheMissWebhook, presenceWebhook, pusherTestClient, signWebhook } from '../lib/testing'
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

t.test('pusherTestClient answers channel and user queries from what it is given', async (t) => {
  const client = pusherTestClient({
    channels: { 'private-orders.1': { subscription_count: 3 }, 'presence-room': { subscription_count: 2 } },
    users: { 'presence-room': ['ann', 'bob'], 'presence-lobby': ['cy'] }
  })
  const app = checkedFastify(t)
  t.teardown(async () => { await app.close() })
  await app.register(fastifyPusher, { client })
  t.same(await app.pusher.channelsInfo(), { 'private-orders.1': {}, 'presence-room': {}, 'presence-lobby': {} })
  t.same(await app.pusher.channelsInfo({ prefix: 'presence-', info: 'user_count' }), { 'presence-room': { user_count: 2 }, 'presence-lobby': { user_count: 1 } })
  t.same(await app.pusher.channelInfo('presence-room', { info: 'user_count,subscription_count' }), { occupied: true, user_count: 2, subscription_count: 2 })
  t.same(await app.pusher.channelInfo('private-orders.1', { info: 'subscription_count' }), { occupied: true, subscription_count: 3 })
  t.same(await app.pusher.channelInfo('private-orders.1'), { occupied: true }, 'only the info asked for')
  t.same(await app.pusher.channelInfo('private-empty'), { occupied: false })
  t.same(await app.pusher.presenceUsers('presence-room'), [{ id: 'ann' }, { id: 'bob' }])
  t.same(await app.pusher.presenceUsers('presence-empty'), [])
  t.match(client.calls.at(-1), { method: 'GET', path: '/channels/presence-empty/users' })
})

t.test('pusherTestClient fails the calls fail() chooses, with the typed errors the plugin\'s sender makes', async (t) => {
  const client = pusherTestClient({
    timeout: 2000,
    fail: (call) => {
      const body = call.body as { name?: string, batch?: Array<{ name: string }> } | undefined
      const name = body?.name ?? body?.batch?.[0].name
      if (name === 'too-big') return { status: 413, message: 'Payload too large' }
      if (name === 'slow') return 'timeout'
      if (name === 'away') return 'unreachable'
      if (call.path.startsWith('/channels')) return { status: 429 }
      return undefined
    }
  })
  const app = checkedFastify(t)
  t.teardown(async () => { await app.close() })
  await app.register(fastifyPusher, { client })
  await t.rejects(app.pusher.trigger('chat', 'too-big', 1), { code: 'FST_PUSHER_API_ERROR', statusCode: 413, serverMessage: 'Payload too large' })
  await t.rejects(app.pusher.trigger('chat', 'slow', 1), { code: 'FST_PUSHER_API_TIMEOUT', message: /within 2000 ms/ })
  await t.rejects(app.pusher.trigger('chat', 'away', 1), { code: 'FST_PUSHER_API_UNREACHABLE' })
  await t.rejects(app.pusher.channelsInfo(), { code: 'FST_PUSHER_API_ERROR', statusCode: 429, serverMessage: 'scripted failure' })
  t.same(await app.pusher.trigger('chat', 'fine', 1), {}, 'the others are answered')
  t.same(client.sent.map((event) => event.event), ['fine'], 'a failed call sent nothing')
  t.equal(client.calls.length, 5, 'every call recorded, failed or not')
})

t.test('authRequest builds what pusher-js, pusher-js-auth and signin() post', async (t) => {
  t.same(authRequest({ socketId: '1.2', channels: 'private-a b' }), {
    method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: 'socket_id=1.2&channel_name=private-a%20b'
  })
  t.equal(authRequest({ socketId: '1.2', channels: ['private-a', 'presence-b'] }).payload, '&socket_id=1.2&channel_name[0]=private-a&channel_name[1]=presence-b')
  t.equal(authRequest({ socketId: '1.2' }).payload, 'socket_id=1.2')
  t.equal(authRequest({ socketId: '1.2', channels: ['private-a'], params: { team: 'x&y' } }).payload, 'socket_id=1.2&channel_name=private-a&team=x%26y')
  const app = checkedFastify(t)
  t.teardown(async () => { await app.close() })
  await app.register(fastifyPusher, { client: pusherTestClient() })
  app.pusher.auth((request, channel) => channel !== 'private-no')
  app.pusher.userAuth(() => ({ id: 'ann' }))
  t.equal((await app.inject({ url: '/pusher/auth', ...authRequest({ socketId: '1.2', channels: 'private-a' }) })).statusCode, 200)
  const batch = await app.inject({ url: '/pusher/auth', ...authRequest({ socketId: '1.2', channels: ['private-a', 'private-no'] }) })
  t.same(Object.entries(batch.json()).map(([name, { status }]: [string, any]) => [name, status]), [['private-a', 200], ['private-no', 403]])
  t.equal((await app.inject({ url: '/pusher/user-auth', ...authRequest({ socketId: '1.2' }) })).statusCode, 200)
})

t.test('presenceWebhook and cacheMissWebhook build signed deliveries', async (t) => {
  const credentials = { key: 'k', secret: 's' }
  const presence = presenceWebhook(credentials, { channel: 'presence-room', added: ['ann', 'bob'], removed: ['cy'], time_ms: 7 })
  t.same(JSON.parse(presence.payload), {
    time_ms: 7,
    events: [
      { name: 'member_added', channel: 'presence-room', user_id: 'ann' },
      { name: 'member_added', channel: 'presence-room', user_id: 'bob' },
      { name: 'member_removed', channel: 'presence-room', user_id: 'cy' }
    ]
  })
  t.same(presence.headers, signWebhook(credentials, presence.payload).headers, 'signed as signWebhook signs')
  t.same(JSON.parse(cacheMissWebhook(credentials, ['cache-a', 'cache-b'], { time_ms: 8 }).payload), { time_ms: 8, events: [{ name: 'cache_miss', channel: 'cache-a' }, { name: 'cache_miss', channel: 'cache-b' }] })
  t.ok(JSON.parse(cacheMissWebhook(credentials, 'cache-a').payload).time_ms > 0, 'time_ms defaults to now')
  t.same(JSON.parse(presenceWebhook(credentials, { channel: 'presence-x' }).payload).events, [])
  const app = checkedFastify(t)
  t.teardown(async () => { await app.close() })
  await app.register(fastifyPusher, { appId: '1', ...credentials })
  const seen: string[] = []
  app.pusher.webhooks.on('*', (request, event) => { seen.push(`${event.name} ${event.channel}`) })
  t.equal((await app.inject({ method: 'POST', url: '/pusher/events', ...presence })).statusCode, 200)
  t.equal((await app.inject({ method: 'POST', url: '/pusher/events', ...cacheMissWebhook(credentials, 'cache-a') })).statusCode, 200)
  t.same(seen, ['member_added presence-room', 'member_added presence-room', 'member_removed presence-room', 'cache_miss cache-a'])
})
