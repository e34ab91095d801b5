// Several apps in one server: names, the default app, route collisions, request.pusher.apps.
import t from 'tap'
import fastifyPusher, { type FastifyPusherOptions } from '../../index'
import { pusherTestClient, signWebhook } from '../../lib/testing'
import { checkedFastify, postForm } from '../helpers/app'
import { startRedis } from '../helpers/redis'
import { resolveOptions } from '../../lib/config/options'

const client = (key: string) => pusherTestClient({ appId: key, key, secret: `${key}-secret` })

t.test('named apps beside the default one: each its own client, routes and handlers', async (t) => {
  const app = checkedFastify(t)
  const [main, eu, us] = [client('main'), client('eu'), client('us')]
  await app.register(fastifyPusher, { client: main })
  await app.register(fastifyPusher, { name: 'eu', client: eu, prefix: '/pusher-eu' })
  await app.register(fastifyPusher, { name: 'us', client: us, prefix: '/pusher-us' })
  app.post('/orders', async (request) => {
    await request.pusher.trigger('orders', 'main.event', {})
    await request.pusher.apps.eu.trigger('orders', 'eu.event', {})
    return { ok: true }
  })
  t.same(Object.keys(app.pusher.apps).sort(), ['eu', 'us'])
  t.equal(app.pusher.key, 'main')
  t.equal(app.pusher.apps.eu.key, 'eu')
  t.equal(app.pusher.apps.eu.apps, app.pusher.apps, 'each app reaches the others too')
  await app.pusher.trigger('news', 'a', 1)
  await app.pusher.apps.eu.trigger('news', 'b', 2)
  await app.pusher.apps.us.triggerBatch([{ channel: 'news', name: 'c', data: 3 }])
  t.same([main.sent, eu.sent, us.sent].map((sent) => sent.map((one) => one.event)), [['a'], ['b'], ['c']], 'each sends through its own client')

  app.pusher.auth(() => true)
  app.pusher.apps.eu.auth(() => true)
  const signed = async (prefix: string) => (await postForm(app, `${prefix}/auth`, 'socket_id=1.2&channel_name=private-x')).json().auth as string
  t.match(await signed('/pusher'), /^main:/)
  t.match(await signed('/pusher-eu'), /^eu:/, 'each auth route signs with its own app')
  t.equal((await postForm(app, '/pusher-us/auth', 'socket_id=1.2&channel_name=private-x')).statusCode, 403, 'us has no auth handler: its own routes')

  const seen: string[] = []
  app.pusher.webhooks.on('channel_occupied', () => { seen.push('main') })
  app.pusher.apps.eu.webhooks.on('channel_occupied', () => { seen.push('eu') })
  const body = { time_ms: 1, events: [{ name: 'channel_occupied', channel: 'news' }] }
  t.equal((await app.inject({ method: 'POST', url: '/pusher-eu/events', ...signWebhook({ key: 'eu', secret: 'eu-secret' }, body) })).statusCode, 200)
  t.equal((await app.inject({ method: 'POST', url: '/pusher-eu/events', ...signWebhook({ key: 'main', secret: 'main-secret' }, body) })).statusCode, 403, 'another app\'s key is refused')
  t.same(seen, ['eu'], 'each app\'s webhooks reach its own handlers')

  await app.inject({ method: 'POST', url: '/orders', headers: { 'x-socket-id': '7.8' } })
  t.same(main.sent.at(-1), { channels: ['orders'], event: 'main.event', data: {}, socket_id: '7.8' })
  t.same(eu.sent.at(-1), { channels: ['orders'], event: 'eu.event', data: {}, socket_id: '7.8' }, 'request.pusher.apps.eu leaves out the sender too')
})

t.test('only named apps: app.pusher.apps works, every other member says there is no default app', async (t) => {
  const app = checkedFastify(t)
  const eu = client('eu')
  await app.register(fastifyPusher, { name: 'eu', client: eu, prefix: '/pusher-eu' })
  await app.pusher.apps.eu.trigger('news', 'x', 1)
  t.equal(eu.sent.length, 1)
  t.throws(() => app.pusher.trigger, { code: 'FST_PUSHER_NO_DEFAULT_APP', message: 'app.pusher.trigger: no default (unnamed) app is registered, only named ones: use apps.<name>' })
  t.throws(() => app.pusher.key, { code: 'FST_PUSHER_NO_DEFAULT_APP' })
  t.throws(() => app.pusher.webhooks, { code: 'FST_PUSHER_NO_DEFAULT_APP' })
  app.post('/x', async (request) => {
    await request.pusher.apps.eu.trigger('news', 'y', 2)
    try {
      return request.pusher.trigger
    } catch (error) {
      return { code: (error as { code: string }).code, message: (error as Error).message }
    }
  })
  t.same((await app.inject({ method: 'POST', url: '/x' })).json(), { code: 'FST_PUSHER_NO_DEFAULT_APP', message: 'request.pusher.trigger: no default (unnamed) app is registered, only named ones: use apps.<name>' })
  t.equal(eu.sent.length, 2)
  t.equal((await postForm(app, '/pusher/auth', 'socket_id=1.2&channel_name=private-x')).statusCode, 404, 'no default routes')

  const later = checkedFastify(t)
  await later.register(fastifyPusher, { name: 'eu', client: client('eu'), prefix: '/pusher-eu', presence: true })
  t.throws(() => later.pusher.presence, { code: 'FST_PUSHER_NO_DEFAULT_APP' }, 'the stand-in has the named app\'s members')
  await later.register(fastifyPusher, { client: client('main') })
  t.equal(later.pusher.key, 'main', 'a default app registered after named ones takes app.pusher')
  t.same(Object.keys(later.pusher.apps), ['eu'])
  t.notOk('presence' in later.pusher, 'without the stand-in\'s members it does not have (no presence option)')
  t.ok(later.pusher.apps.eu.presence, 'the named app keeps its own')
})

t.test('each named app\'s presence store is fed by its own webhooks only', async (t) => {
  const app = checkedFastify(t)
  await app.register(fastifyPusher, { client: client('main'), presence: true })
  await app.register(fastifyPusher, { name: 'eu', client: client('eu'), prefix: '/pusher-eu', presence: true })
  const [main, eu] = [app.pusher.presence!, app.pusher.apps.eu.presence!]
  const online: string[] = []
  main.on('online', ({ userId }) => { online.push(`main ${userId}`) })
  eu.on('online', ({ userId }) => { online.push(`eu ${userId}`) })
  const joined = (userId: string) => JSON.stringify({ time_ms: Date.now(), events: [{ name: 'member_added', channel: 'presence-room', user_id: userId }] })
  t.equal((await app.inject({ method: 'POST', url: '/pusher-eu/events', ...signWebhook({ key: 'eu', secret: 'eu-secret' }, joined('ann')) })).statusCode, 200)
  t.equal((await app.inject({ method: 'POST', url: '/pusher/events', ...signWebhook({ key: 'main', secret: 'main-secret' }, joined('bob')) })).statusCode, 200)
  t.same(await eu.members('presence-room'), ['ann'], 'eu\'s store: eu\'s member')
  t.same(await main.members('presence-room'), ['bob'], 'the default app\'s store: its own')
  t.same(online, ['eu ann', 'main bob'])
  t.equal((await app.inject({ method: 'POST', url: '/pusher-eu/events', ...signWebhook({ key: 'main', secret: 'main-secret' }, joined('eve')) })).statusCode, 403, 'the default app\'s delivery at eu\'s route: refused')
  t.same(await eu.members('presence-room'), ['ann'])
})

t.test('names and routes are checked at registration', async (t) => {
  const failure = async (options: FastifyPusherOptions[]): Promise<unknown> => {
    const app = checkedFastify(t)
    for (const one of options) app.register(fastifyPusher, one)
    return await app.ready().then(() => undefined, (error: unknown) => error)
  }
  t.match(await failure([{ client: client('a') }, { client: client('b'), prefix: '/other' }]), { code: 'FST_PUSHER_ALREADY_REGISTERED', message: /the default app is already registered/ })
  t.match(await failure([{ name: 'eu', client: client('a') }, { name: 'eu', client: client('b'), prefix: '/other' }]), { code: 'FST_PUSHER_ALREADY_REGISTERED', message: /app "eu" is already registered/ })
  t.match(await failure([{ client: client('a') }, { name: 'eu', client: client('b') }]), {
    code: 'FST_PUSHER_ROUTE_COLLISION',
    message: 'fastify-pusher: the routes of app "eu" and the default app would collide at POST /pusher/auth: give each app its own prefix'
  })
  t.match(await failure([{ client: client('a'), prefix: '/a', authPath: '/b/auth' }, { name: 'eu', client: client('b'), prefix: '/a/b', authPath: '/auth', userAuthPath: '/sign-in' }]), {
    code: 'FST_PUSHER_ROUTE_COLLISION', message: /at POST \/a\/b\/auth:/
  }, 'the full URLs are compared, whatever prefix and path make them')
  t.match(await failure([{ client: client('a'), routeOptions: { auth: false, userAuth: false } }, { name: 'eu', client: client('b'), routeOptions: { webhooks: false } }]), undefined, 'apps whose routes do not meet')
  t.match(await failure([{ client: client('a'), routeOptions: { webhooks: false } }, { name: 'eu', client: client('b'), routeOptions: { auth: false, userAuth: false }, prefix: '/pusher' }]), undefined)
  t.match(await failure([{ client: client('a'), routeOptions: { auth: false } }, { name: 'eu', client: client('b'), authPath: '/other', userAuthPath: '/other-user', routeOptions: { webhooks: false } }]), undefined)
  for (const name of ['', '1eu', 'e u', 'a'.repeat(65), 5]) {
    t.match(await failure([{ name: name as string, client: client('a') }]), { code: 'FST_PUSHER_INVALID_OPTION', message: /"name": must be a letter, then letters, digits, _ or -/ }, JSON.stringify(name).slice(0, 12))
  }
})

t.test('a child scope cannot add to its parent\'s apps; sibling scopes each have their own', async (t) => {
  const failure = async (parent: FastifyPusherOptions, child: FastifyPusherOptions): Promise<unknown> => {
    const app = checkedFastify(t)
    app.register(fastifyPusher, parent)
    app.register(async (scope) => { scope.register(fastifyPusher, child) })
    return await app.ready().then(() => undefined, (error: unknown) => error)
  }
  t.match(await failure({ client: client('a') }, { name: 'eu', client: client('b'), prefix: '/eu' }), { code: 'FST_PUSHER_ALREADY_REGISTERED', message: /app "eu" is already registered/ })
  t.match(await failure({ name: 'eu', client: client('a') }, { client: client('b'), prefix: '/main' }), { code: 'FST_PUSHER_ALREADY_REGISTERED', message: /the default app/ }, 'a child\'s default app cannot take its parent\'s app.pusher')
  const app = checkedFastify(t)
  const seen: string[] = []
  for (const scopeName of ['one', 'two']) {
    await app.register(async (scope) => {
      await scope.register(fastifyPusher, { name: 'eu', client: client(scopeName) })
      seen.push(scope.pusher.apps.eu.key)
    }, { prefix: `/${scopeName}` })
  }
  t.same(seen, ['one', 'two'], 'the same name in two sibling scopes: each its own')
})

t.test('route collisions count every webhook route; each app needs its own durable queue', async (t) => {
  const app = checkedFastify(t)
  app.register(fastifyPusher, { client: client('a') })
  app.register(fastifyPusher, { name: 'eu', client: client('b'), prefix: '/pusher/events', authPath: '/client', userAuthPath: '/eu-user', routeOptions: { webhooks: false } })
  await t.rejects(async () => { await app.ready() }, { code: 'FST_PUSHER_ROUTE_COLLISION', message: /at POST \/pusher\/events\/client:/ })

  const redis = await startRedis(t)
  for (const [first, second] of [[{}, { name: 'eu', queue: { name: 'fastify-pusher' } }], [{ name: 'eu' }, { name: 'us', queue: { name: 'fastify-pusher-eu' } }]] as const) {
    const queued = checkedFastify(t)
    queued.register(fastifyPusher, { client: client('a'), ...first, queue: { connection: redis.client(), worker: false } })
    queued.register(fastifyPusher, { client: client('b'), prefix: '/second', name: second.name, queue: { connection: redis.client(), worker: false, ...second.queue } })
    await t.rejects(async () => { await queued.ready() }, { code: 'FST_PUSHER_INVALID_OPTION', message: /"queue\.name": is the durable queue of (the default app|app "eu"): each app needs its own/ })
    await queued.close()
  }
})

t.test('a named app\'s queue (what startWorker reads too, through the same options): fastify-pusher-{name}', async (t) => {
  const redis = await startRedis(t)
  const connection = redis.client()
  const queueOf = (options: FastifyPusherOptions): string | undefined => resolveOptions({ client: client('a'), ...options }).queue?.name
  t.equal(queueOf({ queue: { connection } }), 'fastify-pusher')
  t.equal(queueOf({ name: 'eu', queue: { connection } }), 'fastify-pusher-eu')
  t.equal(queueOf({ name: 'eu', queue: { connection, name: 'mine' } }), 'mine')
})
