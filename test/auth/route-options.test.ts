import rateLimit from '@fastify/rate-limit'
import t from 'tap'
import fastifyPusher from '../../index'
import { buildApp, checkedFastify, credentials, hmac, KEY, postForm, postWebhook } from '../helpers/app'

const batch = (names: string[]): string => '&socket_id=1.42' + names.map((name, i) => `&channel_name[${i}]=${name}`).join('')
const webhookBody = JSON.stringify({ time_ms: 1, events: [{ name: 'channel_occupied', channel: 'c' }] })

t.test('routeOptions.auth.config.rateLimit with @fastify/rate-limit: the auth route only, a batch counts as one', async (t) => {
  const app = checkedFastify(t)
  t.teardown(async () => { await app.close() })
  await app.register(rateLimit, { global: false })
  await app.register(fastifyPusher, { ...credentials, routeOptions: { auth: { config: { rateLimit: { max: 2, timeWindow: '1 minute' } } } } })
  app.get('/app-route', async () => 'ok')
  app.pusher.auth(() => true)
  app.pusher.userAuth(() => ({ id: 'u' }))
  const first = await postForm(app, '/pusher/auth', batch(Array.from({ length: 20 }, (_, i) => `private-${i}`)))
  t.equal(first.statusCode, 200, 'a batch of 20 channels')
  t.equal((await postForm(app, '/pusher/auth', 'socket_id=1.42&channel_name=private-a')).statusCode, 200)
  const limited = await postForm(app, '/pusher/auth', 'socket_id=1.42&channel_name=private-a')
  t.equal(limited.statusCode, 429, 'the third request is limited')
  for (let i = 0; i < 3; i++) {
    t.equal((await postForm(app, '/pusher/user-auth', 'socket_id=1.42')).statusCode, 200, 'user-auth is not limited')
    t.equal((await app.inject('/app-route')).statusCode, 200, 'the app\'s own routes are not limited')
  }
})

t.test('onRequest and preHandler hooks run in addition to the plugin\'s checks, a hook or a list', async (t) => {
  const calls: string[] = []
  const app = await buildApp(t, {
    routeOptions: {
      auth: {
        onRequest: async (request) => { calls.push(`onRequest ${request.url}`) },
        preHandler: [async (request) => { calls.push(`preHandler ${(request.body as any).socket_id}`) }, async () => { calls.push('second') }]
      },
      userAuth: {
        onRequest: async (request, reply) => { if (request.headers.authorization === undefined) await reply.code(401).send({ message: 'log in' }) }
      }
    }
  })
  const refused = await postForm(app, '/pusher/auth', 'socket_id=1.42&channel_name=private-a')
  t.equal(refused.statusCode, 403, 'no handler: the plugin\'s own check still refuses')
  t.same(calls, [], 'and first: the user\'s hooks do not run on a route that is not configured')
  app.pusher.auth(() => true)
  t.equal((await postForm(app, '/pusher/auth', 'socket_id=1.42&channel_name=private-a')).statusCode, 200)
  t.same(calls, ['onRequest /pusher/auth', 'preHandler 1.42', 'second'])
  calls.length = 0
  t.equal((await postForm(app, '/pusher/auth', 'socket_id=bad&channel_name=private-a')).statusCode, 400, 'the plugin\'s validation still runs')
  t.same(calls, ['onRequest /pusher/auth'], 'a preHandler never sees an invalid body')
  app.pusher.userAuth(() => ({ id: 'u' }))
  const rejected = await postForm(app, '/pusher/user-auth', 'socket_id=1.42')
  t.equal(rejected.statusCode, 401, 'a hook that rejects')
  const allowed = await app.inject({ method: 'POST', url: '/pusher/user-auth', payload: 'socket_id=1.42', headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: 'Bearer x' } })
  t.equal(allowed.statusCode, 200)
})

t.test('webhook routes take hooks and config too', async (t) => {
  const seen: unknown[] = []
  const app = await buildApp(t, {
    routeOptions: { webhooks: { preHandler: async (request) => { seen.push([request.routeOptions.config, (request.body as any).events.length]) }, config: { audit: true } as any } }
  })
  app.pusher.webhooks.channelExistence(() => {})
  t.equal((await postWebhook(app, 'channel_existence', webhookBody)).statusCode, 200)
  t.equal((await postWebhook(app, 'channel_existence', webhookBody, { 'x-pusher-signature': 'bad' })).statusCode, 403)
  t.same(seen, [[{ audit: true, url: '/pusher/events/channel_existence', method: 'POST' }, 1]], 'the preHandler runs after the signature check, once')
})

t.test('bodyLimit: 64 KiB by default on auth and user-auth, settable; Fastify\'s own on webhooks', async (t) => {
  const app = await buildApp(t, { routeOptions: { userAuth: { bodyLimit: 100 } } })
  app.pusher.auth(() => true)
  app.pusher.userAuth(() => ({ id: 'u' }))
  app.pusher.webhooks.channelExistence(() => {})
  const hundred = batch(Array.from({ length: 100 }, (_, i) => `presence-${'x'.repeat(150)}${i}`))
  t.ok(hundred.length < 64 * 1024 && hundred.length > 16 * 1024)
  const answer = await postForm(app, '/pusher/auth', hundred)
  t.equal(answer.statusCode, 200, `a 100-channel batch of ${hundred.length} bytes fits`)
  t.equal(Object.keys(answer.json()).length, 100)
  const tooBig = await postForm(app, '/pusher/auth', `socket_id=1.42&channel_name=private-a&junk=${'x'.repeat(64 * 1024)}`)
  t.equal(tooBig.statusCode, 413)
  t.equal(tooBig.json().code, 'FST_ERR_CTP_BODY_TOO_LARGE')
  t.equal((await postForm(app, '/pusher/user-auth', `socket_id=1.42&pad=${'x'.repeat(100)}`)).statusCode, 413, 'userAuth.bodyLimit')
  t.equal((await postForm(app, '/pusher/user-auth', 'socket_id=1.42')).statusCode, 200)
  const bigWebhook = JSON.stringify({ time_ms: 1, events: [{ name: 'channel_occupied', channel: 'c', pad: 'x'.repeat(200 * 1024) }] })
  t.equal((await postWebhook(app, 'channel_existence', bigWebhook)).statusCode, 200, 'webhooks keep Fastify\'s 1 MiB')
})

t.test('logLevel quiets the plugin\'s routes only', async (t) => {
  const lines: any[] = []
  const app = await buildApp(t, { routeOptions: { auth: { logLevel: 'silent' } } }, { logger: { level: 'info', stream: { write: (line: string) => { lines.push(JSON.parse(line)) } } } })
  app.pusher.auth(() => true)
  await postForm(app, '/pusher/auth', 'socket_id=1.42&channel_name=private-a')
  t.equal(lines.filter((line) => line.req?.url === '/pusher/auth' || line.res !== undefined).length, 0, 'no request lines for the auth route')
  app.pusher.userAuth(() => ({ id: 'u' }))
  await postForm(app, '/pusher/user-auth', 'socket_id=1.42')
  t.ok(lines.some((line) => line.req?.url === '/pusher/user-auth'), 'the user-auth route still logs')
})

t.test('routeOptions are checked at register time, naming the field', async (t) => {
  const cases: Array<[unknown, RegExp]> = [
    ['fast', /"routeOptions": must be an object/],
    [{ auths: {} }, /"routeOptions.auths": is not a group of routes/],
    [{ auth: 5 }, /"routeOptions.auth": must be an object/],
    [{ auth: { onRequst: () => {} } }, /"routeOptions.auth.onRequst": is not a route option/],
    [{ auth: { onRequest: 'hook' } }, /"routeOptions.auth.onRequest": must be a hook function/],
    [{ userAuth: { preHandler: [() => {}, 1] } }, /"routeOptions.userAuth.preHandler"/],
    [{ webhooks: { config: [] } }, /"routeOptions.webhooks.config": must be an object/],
    [{ auth: { bodyLimit: 0 } }, /"routeOptions.auth.bodyLimit": must be a positive whole number/],
    [{ auth: { bodyLimit: '64kb' } }, /"routeOptions.auth.bodyLimit"/],
    [{ auth: { logLevel: 3 } }, /"routeOptions.auth.logLevel"/],
    [{ auth: { hide: 'yes' } }, /"routeOptions.auth.hide": must be true or false/],
    [{ auth: { tags: 'pusher' } }, /"routeOptions.auth.tags": must be a list of strings/]
  ]
  for (const [routeOptions, message] of cases) {
    const app = checkedFastify(t)
    t.teardown(async () => { await app.close() })
    await t.rejects(async () => { await app.register(fastifyPusher, { ...credentials, routeOptions } as any).ready() }, { code: 'FST_PUSHER_INVALID_OPTION', message }, JSON.stringify(routeOptions))
  }
  const app = await buildApp(t, { routeOptions: { auth: undefined, webhooks: { bodyLimit: undefined } } })
  app.pusher.auth(() => true)
  t.same((await postForm(app, '/pusher/auth', 'socket_id=1.42&channel_name=private-a')).json(), { auth: `${KEY}:${hmac('1.42:private-a')}` }, 'undefined fields are fine')
})
