// A server under a path: soketi started with SOKETI_PATH_PREFIX=/ws-path; the plugin's `path` option.
import t from 'tap'
import fastifyPusher from '../../index'
import { checkedFastify, withEnv } from '../helpers/app'
import { connectClient, nextEvent } from '../helpers/pusher-js'
import { startRedis } from '../helpers/redis'
import { freePort, startSoketi } from '../helpers/soketi'

t.test('path: a trigger, a query and sendToUser reach soketi under /ws-path, and are received', async (t) => {
  const soketi = await startSoketi({ pathPrefix: '/ws-path' })
  t.teardown(async () => { await soketi.stop() })
  const app = checkedFastify(t, {}, [soketi.secret])
  t.teardown(async () => { await app.close() })
  const redis = await startRedis(t)
  await app.register(fastifyPusher, { ...soketi.pusherOptions, path: '/ws-path', queue: { connection: redis.client() } })
  app.pusher.userAuth(() => ({ id: 'ann' }))
  const port = await freePort()
  await app.listen({ host: '127.0.0.1', port })

  const client = await connectClient(t, soketi, {
    wsPath: '/ws-path',
    userAuthentication: { endpoint: `http://127.0.0.1:${port}/pusher/user-auth`, transport: 'ajax' }
  })
  const channel = client.subscribe('orders')
  await nextEvent(channel, 'pusher:subscription_succeeded')
  const received = nextEvent(channel, 'order.created', 'the trigger')
  t.same(await app.pusher.trigger('orders', 'order.created', { id: 1 }), {}, 'soketi took the trigger (signed over /ws-path/apps/.../events)')
  t.same(await received, { id: 1 }, 'and the client got it')
  const batch = nextEvent(channel, 'two', 'the batch')
  await app.pusher.triggerBatch([{ channel: 'orders', name: 'one', data: 1 }, { channel: 'orders', name: 'two', data: 2 }])
  t.same(await batch, 2)
  const queued = nextEvent(channel, 'queued', 'the durable queue\'s event, sent by its worker')
  await app.pusher.queue.trigger('orders', 'queued', { id: 3 })
  t.same(await queued, { id: 3 }, 'the durable queue\'s worker sends under the path too')
  t.same(await app.pusher.channelInfo('orders', { info: 'subscription_count' }), { occupied: true, subscription_count: 1 }, 'a query')
  t.same(Object.keys(await app.pusher.channelsInfo()), ['orders'])
  t.match(await app.pusher.client.get({ path: '/channels/orders' }).then(async (res) => await res.json()), { occupied: true }, 'the official client\'s own calls too')

  client.signin()
  await client.user.signinDonePromise
  const notice = nextEvent(client.user, 'notice', 'the event sent to the user')
  await app.pusher.sendToUser('ann', 'notice', { text: 'hi' })
  t.same(await notice, { text: 'hi' }, 'sendToUser')
})

// soketi (uWebSockets.js) answers a path it does not serve by closing the connection, without a status.
t.test('path: the wrong path is a typed error, as is no path against a server under one', async (t) => {
  const soketi = await startSoketi({ pathPrefix: '/ws-path' })
  t.teardown(async () => { await soketi.stop() })
  for (const path of ['/other', undefined]) {
    const app = checkedFastify(t, {}, [soketi.secret])
    await app.register(fastifyPusher, { ...soketi.pusherOptions, ...(path === undefined ? {} : { path }), retries: 0 })
    await t.rejects(app.pusher.trigger('orders', 'x', {}), { code: 'FST_PUSHER_API_UNREACHABLE', message: /socket hang up/ }, `path ${String(path)}`)
    await t.rejects(app.pusher.channelsInfo(), { code: 'FST_PUSHER_API_UNREACHABLE' })
    await app.close()
  }
})

t.test('path: from the option, PUSHER_PATH or the url; checked at register time', async (t) => {
  const prefixOf = async (options: Record<string, unknown>): Promise<string> => {
    const app = checkedFastify(t)
    await app.register(fastifyPusher, { appId: '4', key: 'k', secret: 's', ...options })
    return (app.pusher.client as unknown as { config: { prefixPath: (path: string) => string } }).config.prefixPath('/events')
  }
  t.equal(await prefixOf({}), '/apps/4/events')
  t.equal(await prefixOf({ path: '/ws-path' }), '/ws-path/apps/4/events')
  t.equal(await prefixOf({ path: '/a/b/' }), '/a/b/apps/4/events', 'a trailing slash dropped')
  t.equal(await prefixOf({ path: '/' }), '/apps/4/events', '/ is no path')
  t.equal(await prefixOf({ appId: undefined, key: undefined, secret: undefined, url: 'http://k:s@localhost:6001/ws-path/apps/4' }), '/ws-path/apps/4/events', 'a path in url')
  t.equal(await prefixOf({ appId: undefined, key: undefined, secret: undefined, url: 'http://k:s@localhost:6001/ws-path/apps/4', path: '/mine' }), '/mine/apps/4/events', 'the option wins over the url')
  t.equal(await withEnv({ PUSHER_PATH: '/env-path' }, async () => await prefixOf({})), '/env-path/apps/4/events', 'PUSHER_PATH')
  t.equal(await prefixOf({ path: '/a%20b' }), '/a%20b/apps/4/events', 'a %-escape')
  for (const path of ['ws-path', '/a b', '/a?b', '/a#b', '/../x', '/a/./b', '//a', '/a%zz', '/a%', 5, `/${'a'.repeat(1024)}`]) {
    await t.rejects(prefixOf({ path }), { code: 'FST_PUSHER_INVALID_OPTION', message: /"path": must be a URL path such as \/ws-path/ }, JSON.stringify(path).slice(0, 20))
  }
  await t.rejects(prefixOf({ appId: undefined, key: undefined, secret: undefined, url: 'http://k:s@localhost/ws-path/4' }), { code: 'FST_PUSHER_INVALID_OPTION', message: /\[\/PATH\]\/apps\/APP_ID/ })
  await t.rejects(prefixOf({ appId: undefined, key: undefined, secret: undefined, url: 'http://k:s@localhost/a|b/apps/4' }), { code: 'FST_PUSHER_INVALID_OPTION', message: /^Invalid option "url": .*its PATH made of URL path segments$/ }, 'a bad path in url is the url\'s fault')
  t.equal(await withEnv({ PUSHER_PATH: '/env-path' }, async () => await prefixOf({ appId: undefined, key: undefined, secret: undefined, url: 'http://k:s@localhost:6001/url-path/apps/4' })), '/env-path/apps/4/events', 'PUSHER_PATH wins over the url\'s path')
  const { pusherTestClient } = await import('../../lib/testing')
  const app = checkedFastify(t)
  await t.rejects(async () => { await app.register(fastifyPusher, { client: pusherTestClient(), path: '/x' }).ready() }, { code: 'FST_PUSHER_INVALID_OPTION', message: /a ready client cannot be combined with path/ })
})
