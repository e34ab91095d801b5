// Tenants: one registration serving many apps, their credentials looked up per request (auth routes:
// tenants.fromRequest; webhook routes: X-Pusher-Key) and for app.pusher.forApp(); cached for cacheMs, at
// most max held (the least recently used closed once its calls settle); a lookup that throws or hangs is
// a 503 (bounded by handlerTimeout) and a rejection from forApp. A loopback API stands for each app's server.
import t, { type Test } from 'tap'
import Pusher = require('pusher')
import type { FastifyInstance } from 'fastify'
import { signWebhook } from 'fastify-pusher/testing'
import fastifyPusher, { type FastifyPusherOptions, type TenantCredentials, type TenantLookup } from '../../index'
import { captureLogs, checkedFastify, hmac, postForm } from '../helpers/app'
import { directory, secretOf, tenantApi } from '../helpers/tenants'
import { until } from '../helpers/until'

async function tenantApp (t: Test, tenants: Partial<FastifyPusherOptions['tenants']> & Pick<NonNullable<FastifyPusherOptions['tenants']>, 'credentials'>, options: FastifyPusherOptions = {}, logger?: ReturnType<typeof captureLogs>['logger']): Promise<FastifyInstance> {
  const app = checkedFastify(t, logger === undefined ? {} : { logger }, ['SUPERSECRET'])
  await app.register(fastifyPusher, {
    tenants: { fromRequest: (request) => request.headers['x-tenant'] as string | undefined, ...tenants },
    webhookDedupe: true,
    ...options
  })
  return app
}

const auth = async (app: FastifyInstance, tenant: string | undefined, channel = 'private-orders') =>
  await app.inject({ method: 'POST', url: '/pusher/auth', payload: `socket_id=1.2&channel_name=${channel}`, headers: { 'content-type': 'application/x-www-form-urlencoded', ...(tenant === undefined ? {} : { 'x-tenant': tenant }) } })

t.test('three tenants, one registration: auth signs with each one\'s secret, webhooks are checked with its own, forApp sends as it', async (t) => {
  const api = await tenantApi(t)
  const { lookups, credentials } = directory(api.port)
  const app = await tenantApp(t, { credentials })
  const seen: Array<{ tenant: unknown, channel: string }> = []
  app.pusher.channel('orders', () => true)
  app.pusher.webhooks.on('channel_occupied', (request, event) => { seen.push({ tenant: request.pusher.tenant, channel: event.channel }) })

  for (const id of ['1', '2', '3']) {
    const answer = await auth(app, id)
    t.equal(answer.statusCode, 200)
    t.same(answer.json(), { auth: `key-${id}:${hmac('1.2:private-orders', secretOf(id))}` }, `tenant ${id} signs with its own secret`)
  }
  t.equal((await auth(app, 'key-2')).json().auth.split(':')[0], 'key-2', 'fromRequest may name a tenant by its key')
  app.pusher.userAuth(() => ({ id: 'ann' }))
  const signIn = await app.inject({ method: 'POST', url: '/pusher/user-auth', payload: 'socket_id=1.2', headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-tenant': '3' } })
  t.same(signIn.json(), { auth: `key-3:${hmac('1.2::user::{"id":"ann"}', secretOf('3'))}`, user_data: '{"id":"ann"}' }, 'a sign-in, signed with the tenant\'s secret')

  // The same body from two tenants: each checked with its own secret, each handled (dedupe marks apart).
  const body = JSON.stringify({ time_ms: Date.now(), events: [{ name: 'channel_occupied', channel: 'chat' }] })
  for (const id of ['1', '2']) {
    const delivery = signWebhook({ key: `key-${id}`, secret: secretOf(id) }, body)
    t.equal((await app.inject({ method: 'POST', url: '/pusher/events', ...delivery })).statusCode, 200)
    t.equal((await app.inject({ method: 'POST', url: '/pusher/events', ...delivery })).statusCode, 200, 'a retry')
  }
  t.same(seen, [{ tenant: { appId: '1', key: 'key-1' }, channel: 'chat' }, { tenant: { appId: '2', key: 'key-2' }, channel: 'chat' }], 'once per tenant, each seeing its own')
  const crossed = signWebhook({ key: 'key-1', secret: secretOf('2') }, body)
  t.match((await app.inject({ method: 'POST', url: '/pusher/events', ...crossed })).json(), { statusCode: 403, code: 'FST_PUSHER_WEBHOOK_INVALID_SIGNATURE' }, 'another tenant\'s secret')

  const one = await app.pusher.forApp('1')
  t.match(one, { appId: '1', key: 'key-1' })
  await one.trigger('chat', 'e', { n: 1 })
  await (await app.pusher.forApp('key-3')).trigger(['a', 'b'], 'e', 2)
  await (await app.pusher.forApp({ key: 'key-2' })).sendToUser('ann', 'e', 3)
  t.same(api.calls.map(({ appId, authKey, path }) => [appId, authKey, path]), [
    ['1', 'key-1', '/apps/1/batch_events'],
    ['3', 'key-3', '/apps/3/events'],
    ['2', 'key-2', '/apps/2/events']
  ])
  t.equal((await app.pusher.forApp('1')).client, (await app.pusher.forApp({ appId: '1' })).client, 'a held tenant: the same client')
  t.same(lookups, [{ appId: '1' }, { appId: '2' }, { appId: '3' }], 'each looked up once (a key of a held tenant is known)')
  t.match(api.calls[2].body, { channels: ['#server-to-user-ann'] }, 'sendToUser')
})

t.test('request.pusher sends for the request\'s tenant, its socket left out; its sends and members say which', async (t) => {
  const api = await tenantApi(t)
  const { credentials } = directory(api.port)
  const app = await tenantApp(t, { credentials }, { handlerTimeout: 0 })
  app.post('/orders', async (request) => {
    await request.pusher.trigger('orders', 'created', { id: 7 })
    return { tenant: request.pusher.tenant }
  })
  app.post('/none', async (request) => ({ tenant: request.pusher.tenant ?? null }))
  app.post('/all', async (request) => {
    await request.pusher.triggerBatch([{ channel: 'orders', name: 'batched', data: 1 }])
    await request.pusher.notify('ann', 'Shipped', { id: 7 })
    request.pusher.afterReply.sendToUser('ann', 'direct', 2)
    const queued = await Promise.allSettled([
      request.pusher.queue.trigger('orders', 'q', 1), request.pusher.queue.triggerBatch([]), request.pusher.queue.sendToUser('ann', 'q', 1)
    ])
    return queued.map((outcome) => (outcome as PromiseRejectedResult).reason.code)
  })
  const answer = await app.inject({ method: 'POST', url: '/orders', headers: { 'x-tenant': '2', 'x-socket-id': '5.6' } })
  t.same(answer.json(), { tenant: { appId: '2', key: 'key-2' } })
  t.match(api.calls, [{ appId: '2', body: { batch: [{ channel: 'orders', name: 'created', socket_id: '5.6' }] } }])
  t.same((await app.inject({ method: 'POST', url: '/none', headers: { 'x-tenant': '2' } })).json(), { tenant: null }, 'unknown until a route or a send needs it')
  const all = await app.inject({ method: 'POST', url: '/all', headers: { 'x-tenant': '3', 'x-socket-id': '5.6' } })
  t.same(all.json(), ['FST_PUSHER_QUEUE_NOT_CONFIGURED', 'FST_PUSHER_QUEUE_NOT_CONFIGURED', 'FST_PUSHER_QUEUE_NOT_CONFIGURED'], 'the queue, as the tenant\'s (none configured)')
  for (let i = 0; i < 100 && api.calls.length < 4; i++) await new Promise((resolve) => setTimeout(resolve, 10))
  t.match(api.calls.slice(1), [
    { appId: '3', body: { batch: [{ name: 'batched', socket_id: '5.6' }] } },
    { appId: '3', body: { batch: [{ channel: 'private-App.Models.User.ann', socket_id: '5.6' }] } },
    { appId: '3', body: { channels: ['#server-to-user-ann'] } }
  ], 'every send of request.pusher, for the request\'s tenant')
  api.calls.length = 1
  const unknown = await app.inject({ method: 'POST', url: '/orders', headers: { 'x-tenant': '9' } })
  t.match(unknown.json(), { statusCode: 404, code: 'FST_PUSHER_UNKNOWN_APP' })
  t.match((await app.inject({ method: 'POST', url: '/orders' })).json(), { statusCode: 404, code: 'FST_PUSHER_UNKNOWN_APP' }, 'fromRequest naming no tenant')
  t.equal(api.calls.length, 1)
  app.pusher.userAuth(() => ({ id: 'ann' }))
  const signIn = await postForm(app, '/pusher/user-auth', 'socket_id=1.2')
  t.match(signIn.json(), { statusCode: 404, code: 'FST_PUSHER_UNKNOWN_APP' }, 'a sign-in for no tenant')
  const first = await app.inject({ method: 'POST', url: '/pusher/user-auth', payload: 'socket_id=1.2', headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-tenant': '1' } })
  t.equal(first.json().auth, `key-1:${hmac('1.2::user::{"id":"ann"}', secretOf('1'))}`, 'a sign-in for a tenant not yet held (its lookup awaited)')
})

t.test('a cache channel\'s miss is answered for the tenant whose webhook it is', async (t) => {
  const api = await tenantApi(t)
  const { credentials } = directory(api.port)
  const app = await tenantApp(t, { credentials })
  app.pusher.cacheChannel('prices', (params, channel) => ({ data: { channel } }))
  const miss = signWebhook({ key: 'key-2', secret: secretOf('2') }, { events: [{ name: 'cache_miss', channel: 'cache-prices' }] })
  t.equal((await app.inject({ method: 'POST', url: '/pusher/events', ...miss })).statusCode, 200)
  t.match(api.calls, [{ appId: '2', authKey: 'key-2', body: { batch: [{ channel: 'cache-prices', name: 'state' }] } }])
})

t.test('an unknown tenant: 404 FST_PUSHER_UNKNOWN_APP on auth, 403 on a webhook, a rejection from forApp', async (t) => {
  const api = await tenantApi(t)
  const { credentials } = directory(api.port)
  const app = await tenantApp(t, { credentials })
  app.pusher.channel('orders', () => true)
  app.pusher.userAuth(() => ({ id: 'ann' }))
  app.pusher.webhooks.on('*', () => {})
  for (const tenant of ['9', undefined, 'x'.repeat(201), 'a b']) {
    const answer = await auth(app, tenant)
    t.equal(answer.statusCode, 404)
    t.same(answer.json(), { statusCode: 404, code: 'FST_PUSHER_UNKNOWN_APP', error: 'Not Found', message: 'Unknown app: no app is known for this request' })
  }
  t.match((await postForm(app, '/pusher/user-auth', 'socket_id=1.2')).json(), { statusCode: 404, code: 'FST_PUSHER_UNKNOWN_APP' }, 'user sign-in too')
  const stranger = signWebhook({ key: 'key-9', secret: 'whatever' }, { events: [{ name: 'channel_occupied', channel: 'chat' }] })
  t.match((await app.inject({ method: 'POST', url: '/pusher/events', ...stranger })).json(), { statusCode: 403, code: 'FST_PUSHER_WEBHOOK_INVALID_KEY' })
  const keyless = await app.inject({ method: 'POST', url: '/pusher/events', payload: stranger.payload, headers: { 'content-type': 'application/json' } })
  t.match(keyless.json(), { statusCode: 403, code: 'FST_PUSHER_WEBHOOK_INVALID_KEY' })
  await t.rejects(app.pusher.forApp('9'), { code: 'FST_PUSHER_UNKNOWN_APP', statusCode: 404, message: 'Unknown app: no app is known by "9"' })
  await t.rejects(app.pusher.forApp({ key: 'key-9' }), { code: 'FST_PUSHER_UNKNOWN_APP', message: 'Unknown app: no app is known by "key-9"' })
  await t.rejects(app.pusher.forApp(42 as unknown as string), { code: 'FST_PUSHER_UNKNOWN_APP', message: 'Unknown app: no app is known by "42"' }, 'a whole number reads as its digits')
  await t.rejects(app.pusher.forApp(['1'] as unknown as string), { code: 'FST_PUSHER_UNKNOWN_APP', message: /takes an app id or key/ })
  await t.rejects(app.pusher.forApp({ appId: '1', key: 'key-1' } as unknown as TenantLookup), { code: 'FST_PUSHER_UNKNOWN_APP' }, 'one of appId or key, not both')
  t.same(api.calls, [])
})

t.test('max: 2 with three tenants in turn: the least recently used is closed once its calls have settled', async (t) => {
  const api = await tenantApi(t, (appId) => ({ delayMs: appId === '1' ? 3000 : 0 }))
  const { lookups, credentials } = directory(api.port)
  const app = await tenantApp(t, { credentials, max: 2 })
  const first = await app.pusher.forApp('1')
  const slow = first.channelInfo('chat') // answered after 3 s: a call the batch queue does not hold
  await until(() => api.calls.some((call) => call.appId === '1'), 'tenant 1\'s call reached the API') // its request is on the wire
  await (await app.pusher.forApp('2')).trigger('chat', 'e', 2)
  await (await app.pusher.forApp('2')).trigger('chat', 'e', 2)
  t.same(api.closed, [], 'two held, pools kept alive')
  await (await app.pusher.forApp('3')).trigger('chat', 'e', 3)
  t.same(api.closed, [], 'tenant 1, let go, still has a call under way')
  t.same(await slow, {}, 'the call in flight settles')
  for (let i = 0; i < 100 && !api.closed.includes('1'); i++) await new Promise((resolve) => setTimeout(resolve, 10))
  t.same(api.closed, ['1'], 'then its pool is closed; 2 and 3 keep theirs')
  await (await app.pusher.forApp('2')).trigger('chat', 'e', 5) // 2, opened before 3, is now used after it
  await (await app.pusher.forApp('1')).trigger('chat', 'e', 4)
  t.same(lookups.filter((lookup) => lookup.appId === '1').length, 2, 'tenant 1 looked up again')
  for (let i = 0; i < 100 && !api.closed.includes('3'); i++) await new Promise((resolve) => setTimeout(resolve, 10))
  t.same(api.closed, ['1', '3'], 'and now 3, the least recently used (not 2, the oldest opened), is let go')
})

t.test('cacheMs: credentials looked up again once stale; the same ones keep the pool, changed ones replace it', async (t) => {
  const api = await tenantApi(t)
  const { apps, lookups, credentials } = directory(api.port)
  const app = await tenantApp(t, { credentials, cacheMs: 0 })
  app.pusher.channel('orders', () => true)
  const sender = await app.pusher.forApp('1')
  await sender.trigger('chat', 'e', 1)
  t.equal((await app.pusher.forApp('1')).client, sender.client, 'the same credentials: the same client and pool')
  t.equal(lookups.length, 3, 'looked up at each use (cacheMs 0): forApp, the trigger, forApp')
  apps['1'] = { ...apps['1'], secret: 'SUPERSECRET-rotated' }
  const rotated = await app.pusher.forApp('1')
  t.not(rotated.client, sender.client, 'a rotated secret: a new client')
  await sender.trigger('chat', 'e', 2)
  t.equal(api.calls.at(-1)?.appId, '1', 'a sender kept from before still sends, as the tenant held now')
  t.equal((await auth(app, '1')).json().auth, `key-1:${hmac('1.2:private-orders', 'SUPERSECRET-rotated')}`, 'and the auth route signs with it')
  for (let i = 0; i < 100 && !api.closed.includes('1'); i++) await new Promise((resolve) => setTimeout(resolve, 10))
  t.same(api.closed, ['1'], 'the old pool is closed')
  delete apps['1']
  await t.rejects(app.pusher.forApp('1'), { code: 'FST_PUSHER_UNKNOWN_APP' }, 'an app removed is unknown at its next lookup')
  await app.pusher.forApp('3')
  apps['2'] = { ...apps['2'], key: 'key-3' }
  delete apps['3']
  t.match(await app.pusher.forApp('2'), { appId: '2', key: 'key-3' })
  t.match(await app.pusher.forApp({ key: 'key-3' }), { appId: '2' }, 'a key that moved to another app: that app\'s now')
})

t.test('a lookup that throws, or hangs past handlerTimeout: 503 on the routes, a rejection from forApp, logged without credentials', async (t) => {
  const api = await tenantApi(t)
  const logs = captureLogs()
  let mode: 'throw' | 'hang' | 'invalid' | 'other' = 'throw'
  const credentials = async (lookup: TenantLookup): Promise<TenantCredentials | undefined> => {
    if (mode === 'throw') throw new Error('the database is down')
    if (mode === 'hang') return await new Promise(() => {})
    if (mode === 'invalid') return { appId: '1', key: 'key-1', secret: '', host: '127.0.0.1' }
    return { appId: 'another', key: 'key-x', secret: 'SUPERSECRET-x', host: '127.0.0.1', port: api.port, useTLS: false }
  }
  const app = await tenantApp(t, { credentials }, { handlerTimeout: 100 }, logs.logger)
  app.pusher.channel('orders', () => true)
  app.pusher.webhooks.on('*', () => {})
  const delivery = signWebhook({ key: 'key-1', secret: secretOf('1') }, { events: [{ name: 'channel_occupied', channel: 'chat' }] })
  const whys: string[] = []
  for (const next of ['throw', 'hang', 'invalid'] as const) {
    mode = next
    const answer = await auth(app, '1')
    t.equal(answer.statusCode, 503, `${next}: auth`)
    t.same(Object.keys(answer.json()).sort(), ['code', 'error', 'message', 'statusCode'])
    t.equal(answer.json().code, 'FST_PUSHER_TENANT_UNAVAILABLE')
    whys.push(answer.json().message)
    t.match((await app.inject({ method: 'POST', url: '/pusher/events', ...delivery })).json(), { statusCode: 503, code: 'FST_PUSHER_TENANT_UNAVAILABLE' }, `${next}: webhook`)
    await t.rejects(app.pusher.forApp({ appId: '1' }), { code: 'FST_PUSHER_TENANT_UNAVAILABLE', statusCode: 503 }, `${next}: forApp`)
  }
  t.same(whys, [
    'The app\'s credentials could not be looked up: tenants.credentials() threw',
    'The app\'s credentials could not be looked up: tenants.credentials() did not answer within 100 ms',
    'The app\'s credentials could not be looked up: Invalid option "tenants.credentials().secret": must be a non-empty string'
  ])
  const failures = logs.lines.filter((line) => /a tenant lookup failed/.test(line.msg ?? ''))
  t.equal(failures.length, 9, 'each failure logged')
  t.match(failures[0], { level: 50, err: { message: 'the database is down' } }, 'with the lookup\'s own error')

  // Another app's credentials (a lookup that matched loosely): no answer, so an unknown tenant, and a warning.
  mode = 'other'
  t.match((await auth(app, '1')).json(), { statusCode: 404, code: 'FST_PUSHER_UNKNOWN_APP' })
  t.match((await app.inject({ method: 'POST', url: '/pusher/events', ...delivery })).json(), { statusCode: 403, code: 'FST_PUSHER_WEBHOOK_INVALID_KEY' })
  await t.rejects(app.pusher.forApp({ appId: '1' }), { code: 'FST_PUSHER_UNKNOWN_APP' })
  t.same(logs.lines.filter((line) => /another app's credentials/.test(line.msg ?? '')).map((line) => line.level), [40, 40, 40, 40], 'warnings: auth (a bare name: as an app id, then a key), webhook, forApp')
  t.notOk(logs.lines.some((line) => /SUPERSECRET|"1"|key-1/.test(JSON.stringify(line))), 'never a secret, nor the name asked for')
  t.same(api.calls, [])
})

t.test('lookups: one per name at once, at most max names at once, unknown tenants not cached, a bare name as an app id then a key', async (t) => {
  const api = await tenantApi(t)
  const { apps, lookups, credentials } = directory(api.port)
  let release!: () => void
  const gate = new Promise<void>((resolve) => { release = resolve })
  const slow = async (lookup: TenantLookup): Promise<TenantCredentials | undefined> => { await gate; return credentials(lookup) }
  const app = await tenantApp(t, { credentials: slow, max: 2 })
  const three = [app.pusher.forApp('1'), app.pusher.forApp('1'), app.pusher.forApp({ appId: '1' })]
  const other = app.pusher.forApp('2')
  await t.rejects(app.pusher.forApp('3'), { code: 'FST_PUSHER_TENANT_UNAVAILABLE', message: /too many lookups are under way/ }, 'max (2) names looked up at once')
  release()
  const senders = await Promise.all(three)
  t.ok(senders.every((sender) => sender.client === senders[0].client), 'one tenant for the three callers')
  t.match(await other, { appId: '2' })
  t.same(lookups, [{ appId: '1' }, { appId: '2' }], 'one lookup per name')

  lookups.length = 0
  await t.rejects(app.pusher.forApp('key-9'), { code: 'FST_PUSHER_UNKNOWN_APP' })
  t.same(lookups, [{ appId: 'key-9' }, { key: 'key-9' }], 'a bare name: as an app id, then as a key')
  t.match(await app.pusher.forApp('key-3'), { appId: '3' }, 'found by its key')
  apps['4'] = { appId: '4', key: 'key-4', secret: secretOf('4'), host: '127.0.0.1', port: api.port, useTLS: false }
  await t.rejects(app.pusher.forApp({ key: 'key-5' }), { code: 'FST_PUSHER_UNKNOWN_APP' })
  apps['5'] = { appId: '5', key: 'key-5', secret: secretOf('5'), host: '127.0.0.1', port: api.port, useTLS: false }
  t.match(await app.pusher.forApp({ key: 'key-5' }), { appId: '5' }, 'an app created after a miss works at once')
})

t.test('a lookup that answers late, after a later one found the tenant, does not replace it', async (t) => {
  const api = await tenantApi(t)
  const gates: Array<() => void> = []
  const wait = async (): Promise<void> => { await new Promise<void>((resolve) => { gates.push(resolve) }) }
  const server = { host: '127.0.0.1', port: api.port, useTLS: false }
  const old = { appId: '1', key: 'key-old', secret: 'SUPERSECRET-old', ...server }
  const current = { appId: '1', key: 'key-1', secret: 'SUPERSECRET-new', ...server }
  const credentials = async (lookup: TenantLookup): Promise<TenantCredentials | undefined> => {
    if (lookup.appId === '1' && gates.length === 0) { await wait(); return old } // the first lookup by app id: slow, and before the rotation
    if (lookup.key === 'key-old') { await wait(); return old } // a lookup by the old key: slow too
    return current
  }
  const app = await tenantApp(t, { credentials })
  app.pusher.channel('orders', () => true)
  const slowById = app.pusher.forApp({ appId: '1' })
  const slowByKey = app.pusher.forApp({ key: 'key-old' })
  await new Promise((resolve) => setImmediate(resolve))
  const fresh = await app.pusher.forApp({ key: 'key-1' })
  for (const open of gates) open()
  t.equal((await slowById).client, fresh.client, 'the late answer by app id: the tenant held stands')
  t.equal((await slowByKey).client, fresh.client, 'the late answer by the old key: the tenant held stands')
  t.equal((await auth(app, '1')).json().auth, `key-1:${hmac('1.2:private-orders', 'SUPERSECRET-new')}`, 'signed with the current secret')
})

t.test('fromRequest may answer { appId } or { key }, or a whole number', async (t) => {
  const api = await tenantApi(t)
  const { credentials } = directory(api.port)
  const answers: Record<string, unknown> = { a: { appId: '1' }, b: { key: 'key-2' }, c: 3, d: { appId: '1', key: 'key-1' }, e: { appId: 1.5 } }
  const app = await tenantApp(t, { credentials, fromRequest: (request) => answers[request.headers['x-tenant'] as string] as string })
  app.pusher.channel('orders', () => true)
  const keyOf = async (tenant: string): Promise<string> => (await auth(app, tenant)).json().auth?.split(':')[0] ?? (await auth(app, tenant)).json().code
  t.same([await keyOf('a'), await keyOf('b'), await keyOf('c'), await keyOf('d'), await keyOf('e')], ['key-1', 'key-2', 'key-3', 'FST_PUSHER_UNKNOWN_APP', 'FST_PUSHER_UNKNOWN_APP'])
})

t.test('a tenant registration\'s own senders say to use forApp; fromRequest bounded and checked like a handler', async (t) => {
  const api = await tenantApi(t)
  const { credentials } = directory(api.port)
  let pending = false
  const app = await tenantApp(t, {
    credentials,
    fromRequest: async (request) => {
      if (request.headers['x-tenant'] === 'throw') throw new Error('INTERNAL-DETAIL')
      if (request.headers['x-tenant'] === 'hang') { pending = true; return await new Promise(() => {}) }
      return request.headers['x-tenant'] as string
    }
  }, { handlerTimeout: 100 })
  app.pusher.channel('orders', () => true)
  t.throws(() => app.pusher.trigger, { code: 'FST_PUSHER_TENANT_REQUIRED', message: 'app.pusher.trigger: this registration serves tenants: use forApp(appIdOrKey) to send for one' })
  t.throws(() => app.pusher.client, { code: 'FST_PUSHER_TENANT_REQUIRED' })
  t.throws(() => app.pusher.queue, { code: 'FST_PUSHER_TENANT_REQUIRED' })
  t.match((await auth(app, 'throw')).json(), { statusCode: 500, code: 'FST_PUSHER_HANDLER_FAILED', message: 'The tenants.fromRequest handler failed' })
  t.match((await auth(app, 'hang')).json(), { statusCode: 503, code: 'FST_PUSHER_HANDLER_TIMEOUT', message: 'The tenants.fromRequest handler did not answer within 100 ms' })
  t.ok(pending)
  t.equal((await auth(app, '1')).statusCode, 200)
})

t.test('a named tenant registration, and one without fromRequest (no auth routes): request.pusher needs forApp', async (t) => {
  const api = await tenantApi(t)
  const { credentials } = directory(api.port)
  const app = checkedFastify(t)
  await app.register(fastifyPusher, { name: 'saas', prefix: '/saas', tenants: { credentials, fromRequest: (request) => request.headers['x-tenant'] as string } })
  await app.register(fastifyPusher, { name: 'backoffice', prefix: '/backoffice', tenants: { credentials }, routeOptions: { auth: false, userAuth: false } })
  app.pusher.apps.saas.channel('orders', () => true)
  app.post('/send', async (request) => await request.pusher.apps.backoffice.trigger('chat', 'e', 1))
  t.throws(() => app.pusher.apps.saas.trigger, { code: 'FST_PUSHER_TENANT_REQUIRED', message: /^app\.pusher\.apps\.saas\.trigger: / })
  t.equal((await app.inject({ method: 'POST', url: '/saas/auth', payload: 'socket_id=1.2&channel_name=private-orders', headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-tenant': '1' } })).statusCode, 200)
  t.match((await app.inject({ method: 'POST', url: '/send', headers: { 'x-tenant': '1' } })).json(), { statusCode: 404, code: 'FST_PUSHER_UNKNOWN_APP', message: /set tenants\.fromRequest, or use app\.pusher\.forApp\(\)/ })
  t.same(api.calls, [])
})

t.test('a single app\'s forApp names itself, by app id or key', async (t) => {
  const api = await tenantApi(t)
  const app = checkedFastify(t)
  await app.register(fastifyPusher, { appId: '4', key: 'KEY', secret: 'SUPERSECRET', host: '127.0.0.1', port: api.port, useTLS: false })
  app.get('/tenant', async (request) => ({ tenant: request.pusher.tenant ?? null }))
  t.same((await app.inject('/tenant')).json(), { tenant: null }, 'a single app has no tenant')
  const byId = await app.pusher.forApp('4')
  t.equal(await app.pusher.forApp('KEY'), byId)
  t.equal(await app.pusher.forApp({ key: 'KEY' }), byId)
  t.equal(byId.trigger, app.pusher.trigger)
  t.match(byId, { appId: '4', key: 'KEY', client: app.pusher.client })
  await t.rejects(app.pusher.forApp('5'), { code: 'FST_PUSHER_UNKNOWN_APP', message: 'Unknown app: "5" is neither this app\'s id nor its key' })
  await t.rejects(app.pusher.forApp(undefined as unknown as string), { code: 'FST_PUSHER_UNKNOWN_APP', message: 'Unknown app: forApp() takes an app id or key' })
})

t.test('each tenant its own batch queue: one turn\'s triggers of two tenants on one channel, a call per tenant', async (t) => {
  const api = await tenantApi(t)
  const { credentials } = directory(api.port)
  const app = await tenantApp(t, { credentials })
  const [one, two] = [await app.pusher.forApp('1'), await app.pusher.forApp('2')]
  t.same(await Promise.all([one.trigger('chat', 'e', 1), two.trigger('chat', 'e', 2), one.trigger('chat', 'e', 3)]), [{}, {}, {}])
  t.same(api.calls.map(({ appId, authKey, path, body }) => [appId, authKey, path, body.batch.map((event: { data: string }) => event.data)]).sort(), [
    ['1', 'key-1', '/apps/1/batch_events', ['1', '3']],
    ['2', 'key-2', '/apps/2/batch_events', ['2']]
  ], 'tenant 1\'s two events batched together, tenant 2\'s apart')
})

t.test('a tenant\'s path and encryption master key: its calls go under its path, its encrypted channels are signed with its key', async (t) => {
  const api = await tenantApi(t)
  const { apps, credentials } = directory(api.port)
  const masterKey = Buffer.alloc(32, 9).toString('base64')
  apps['9'] = { appId: '9', key: 'key-9', secret: secretOf('9'), host: '127.0.0.1', port: api.port, useTLS: false, path: '/ws-path', encryptionMasterKeyBase64: masterKey }
  const logs = captureLogs()
  const app = await tenantApp(t, { credentials }, {}, logs.logger)
  app.pusher.channel('orders', () => true)
  await (await app.pusher.forApp('9')).trigger('chat', 'e', 1)
  t.same(api.calls.map(({ authKey, path }) => [authKey, path]), [['key-9', '/ws-path/apps/9/batch_events']], 'under the tenant\'s path')
  const official = new Pusher({ appId: '9', key: 'key-9', secret: secretOf('9'), host: '127.0.0.1', encryptionMasterKeyBase64: masterKey })
  const answer = await auth(app, '9', 'private-encrypted-orders')
  t.equal(answer.statusCode, 200)
  t.same(answer.json(), official.authorizeChannel('1.2', 'private-encrypted-orders'), 'signed, and its shared secret derived, as the official client does with the tenant\'s key')
  t.match((await auth(app, '1', 'private-encrypted-orders')).json(), { statusCode: 404, code: 'FST_PUSHER_ENCRYPTION_NOT_CONFIGURED' }, 'a tenant without a master key: encrypted channels refused')
})

t.test('close(): every tenant\'s calls settle, then no more', async (t) => {
  const api = await tenantApi(t, () => ({ delayMs: 100 }))
  const { credentials } = directory(api.port)
  const app = await tenantApp(t, { credentials })
  const [one, two] = [await app.pusher.forApp('1'), await app.pusher.forApp('2')]
  const sent = [one.trigger('chat', 'e', 1), two.trigger('chat', 'e', 2)]
  await app.close()
  t.same(await Promise.all(sent), [{}, {}], 'the calls under way settled before close() ended')
  await t.rejects(one.trigger('chat', 'e', 3), { code: 'FST_PUSHER_CLOSED' })
  await t.rejects(app.pusher.forApp('3'), { code: 'FST_PUSHER_CLOSED' }, 'no tenant is opened once close() has begun')
})

t.test('close() past closeTimeout cuts off every tenant\'s calls still under way, and says how many', async (t) => {
  const api = await tenantApi(t, () => ({ delayMs: 30_000 }))
  const { credentials } = directory(api.port)
  const logs = captureLogs()
  const app = await tenantApp(t, { credentials }, { closeTimeout: 100 }, logs.logger)
  const sent = [(await app.pusher.forApp('1')).trigger('chat', 'e', 1), (await app.pusher.forApp('2')).channelInfo('chat')]
  await new Promise((resolve) => setTimeout(resolve, 50))
  await app.close()
  const outcomes = await Promise.allSettled(sent)
  t.match(outcomes, [{ status: 'rejected', reason: { code: 'FST_PUSHER_CLOSED' } }, { status: 'rejected', reason: { code: 'FST_PUSHER_CLOSED' } }])
  t.match(logs.lines.filter((line) => /cut off/.test(line.msg ?? '')), [{ level: 40, cutOff: 2 }])
})

t.test('the tenants option is checked at registration', async (t) => {
  const credentials = (): undefined => undefined
  const bad: Array<[FastifyPusherOptions, RegExp]> = [
    [{ tenants: 'yes' as never }, /"tenants": must be an object/],
    [{ tenants: { credentials }, appId: '1' }, /"tenants": cannot be combined with appId/],
    [{ tenants: { credentials }, agent: {} as never }, /cannot be combined with agent: each tenant has its own keep-alive pool/],
    [{ tenants: { credentials }, presence: true }, /cannot be combined with presence/],
    [{ tenants: { credentials }, webhookKeys: [] }, /cannot be combined with webhookKeys/],
    [{ tenants: { credentials: 'x' as never } }, /"tenants.credentials": must be a function/],
    [{ tenants: { credentials, fromRequest: 1 as never } }, /"tenants.fromRequest": must be a function/],
    [{ tenants: { credentials } }, /"tenants.fromRequest": is needed by the auth routes/],
    [{ tenants: { credentials, fromRequest: () => '1', cacheMs: -1 } }, /"tenants.cacheMs": must be a whole number from 0/],
    [{ tenants: { credentials, fromRequest: () => '1', max: 0 } }, /"tenants.max": must be a whole number from 1/]
  ]
  for (const [options, message] of bad) {
    const app = checkedFastify(t)
    await t.rejects(async () => { await app.register(fastifyPusher, options).ready() }, { code: 'FST_PUSHER_INVALID_OPTION', message }, message.source)
  }
  const app = checkedFastify(t)
  await app.register(fastifyPusher, { tenants: { credentials }, routeOptions: { auth: false, userAuth: false } })
  await app.ready()
  t.pass('no fromRequest needed without the auth routes')
})
