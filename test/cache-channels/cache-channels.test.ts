// app.pusher.cacheChannel: a cache_miss webhook for a matching cache channel publishes what the
// loader says, once per miss (through the dedupe); a loader that throws, or a trigger that fails,
// is a 500 so that Pusher retries. With the testing kit's recording client and signed deliveries.
import t, { type Test } from 'tap'
import fastifyPusher from '../../index'
import { cacheMissWebhook, pusherTestClient, type ScriptedFailure } from '../../lib/testing'
import { checkedFastify, MASTER_KEY } from '../helpers/app'

const credentials = { key: 'test-key', secret: 'test-secret' }

async function setup (t: Test, fail?: (call: { path: string }) => ScriptedFailure | undefined) {
  const client = pusherTestClient({ encryptionMasterKeyBase64: MASTER_KEY, fail })
  const app = checkedFastify(t)
  t.teardown(async () => { await app.close() })
  await app.register(fastifyPusher, { client })
  const miss = async (channels: string | string[], timeMs = 1) =>
    await app.inject({ method: 'POST', url: '/pusher/events/cache_miss', ...cacheMissWebhook(credentials, channels, { time_ms: timeMs }) })
  return { app, client, miss }
}

t.test('the loader\'s event is triggered on the channel, for every kind of cache channel; its params are typed by the pattern', async (t) => {
  const { app, client, miss } = await setup(t)
  const loaded: unknown[] = []
  app.pusher.cacheChannel('orders.{orderId}', async ({ orderId }, channel) => {
    loaded.push([orderId, channel])
    return { event: 'order.state', data: { id: orderId, status: 'shipped' } }
  })
  app.pusher.cacheChannel('rooms.{room}', ({ room }) => ({ data: { room } }))
  app.pusher.cacheChannel('boards.{board}', ({ board }) => ({ data: { board } }), { event: 'board.state' })
  const channels = ['cache-orders.7', 'private-cache-orders.8', 'presence-cache-orders.9', 'private-encrypted-cache-orders.10', 'cache-rooms.lobby', 'cache-boards.b1']
  t.equal((await miss(channels)).statusCode, 200)
  t.same(loaded, [['7', 'cache-orders.7'], ['8', 'private-cache-orders.8'], ['9', 'presence-cache-orders.9'], ['10', 'private-encrypted-cache-orders.10']])
  t.same(client.sent, [
    { channels: ['cache-orders.7'], event: 'order.state', data: { id: '7', status: 'shipped' } },
    { channels: ['private-cache-orders.8'], event: 'order.state', data: { id: '8', status: 'shipped' } },
    { channels: ['presence-cache-orders.9'], event: 'order.state', data: { id: '9', status: 'shipped' } },
    { channels: ['private-encrypted-cache-orders.10'], event: 'order.state', data: { id: '10', status: 'shipped' } },
    { channels: ['cache-rooms.lobby'], event: 'state', data: { room: 'lobby' } },
    { channels: ['cache-boards.b1'], event: 'board.state', data: { board: 'b1' } }
  ], 'the event name the loader gives, else the declaration\'s, else "state"')
})

t.test('once per miss: the same delivery again publishes nothing more; a new miss publishes again', async (t) => {
  const { app, client, miss } = await setup(t)
  let loads = 0
  app.pusher.cacheChannel('orders.{id}', () => { loads++; return { data: loads } })
  t.equal((await miss('cache-orders.1', 1)).statusCode, 200)
  t.equal((await miss('cache-orders.1', 1)).statusCode, 200, 'Pusher\'s retry of the same delivery')
  t.equal(loads, 1)
  t.equal(client.sent.length, 1)
  t.equal((await miss('cache-orders.1', 2)).statusCode, 200, 'a later miss (the cache expired)')
  t.same(client.sent.map((event) => event.data), [1, 2])
})

t.test('nothing to publish: undefined or null from the loader, a channel no declaration matches, a channel that is not a cache channel', async (t) => {
  const { app, client, miss } = await setup(t)
  app.pusher.cacheChannel('orders.{id}', ({ id }) => id === 'gone' ? undefined : id === 'none' ? null : { data: id })
  t.equal((await miss(['cache-orders.gone', 'cache-orders.none', 'cache-users.1', 'orders.1', 'private-orders.2'])).statusCode, 200)
  t.same(client.sent, [])
})

t.test('the first matching declaration decides; the app\'s own cache_miss handlers run too', async (t) => {
  const { app, client, miss } = await setup(t)
  const seen: string[] = []
  app.pusher.webhooks.on('cache_miss', (request, event) => { seen.push(event.channel) })
  app.pusher.cacheChannel('orders.special', () => ({ data: 'special' }))
  app.pusher.cacheChannel('orders.{id}', ({ id }) => ({ data: id }))
  t.equal((await miss(['cache-orders.special', 'cache-orders.3'])).statusCode, 200)
  t.same(client.sent.map((event) => event.data), ['special', '3'])
  t.same(seen, ['cache-orders.special', 'cache-orders.3'])
})

t.test('a loader that throws, or a trigger that fails: 500 so that Pusher retries, and the retry publishes once', async (t) => {
  let apiDown = true
  const { app, client, miss } = await setup(t, () => apiDown ? { status: 503 } : undefined)
  let throwing = true
  app.pusher.cacheChannel('orders.{id}', ({ id }) => {
    if (id === 'bad' && throwing) throw new Error('INTERNAL-DETAIL')
    return { data: id }
  })
  const failed = await miss('cache-orders.bad', 1)
  t.equal(failed.statusCode, 500)
  t.equal(failed.json().code, 'FST_PUSHER_HANDLER_FAILED')
  t.notMatch(failed.body, /INTERNAL-DETAIL/)
  throwing = false
  t.equal((await miss('cache-orders.bad', 1)).statusCode, 500, 'the loader answers now, the API does not')
  apiDown = false
  t.equal((await miss('cache-orders.bad', 1)).statusCode, 200, 'the retry publishes')
  t.equal((await miss('cache-orders.bad', 1)).statusCode, 200)
  t.same(client.sent.map((event) => event.data), ['bad'], 'once')
})

t.test('declarations are checked: the pattern (no cache- prefix), the loader, the event name', async (t) => {
  const { app } = await setup(t)
  for (const pattern of ['cache-orders.{id}', 'private-cache-orders.{id}', 'presence-cache-x']) {
    t.throws(() => { app.pusher.cacheChannel(pattern, () => undefined) }, { code: 'FST_PUSHER_INVALID_CHANNEL_PATTERN', message: /leave out the cache- prefix/ })
  }
  t.throws(() => { app.pusher.cacheChannel('private-orders.{id}', () => undefined) }, { code: 'FST_PUSHER_INVALID_CHANNEL_PATTERN' })
  t.throws(() => { app.pusher.cacheChannel('orders.{', () => undefined) }, { code: 'FST_PUSHER_INVALID_CHANNEL_PATTERN' })
  t.throws(() => { app.pusher.cacheChannel('orders.{id}', 'nope' as never) }, { code: 'FST_PUSHER_INVALID_HANDLER', message: /cacheChannel\("orders.\{id\}"\)/ })
  for (const event of ['', 'x'.repeat(201), 5]) {
    t.throws(() => { app.pusher.cacheChannel('orders.{id}', () => undefined, { event: event as string }) }, { code: 'FST_PUSHER_INVALID_OPTION', message: /cacheChannel\("orders.\{id\}"\).event/ })
  }
  t.equal((await app.inject({ method: 'POST', url: '/pusher/events/cache_miss', ...cacheMissWebhook(credentials, 'cache-orders.1') })).statusCode, 404,
    'nothing declared (every declaration was refused): the route has no handler')
})
