import formbody from '@fastify/formbody'
import type { FastifyInstance } from 'fastify'
import t, { type Test } from 'tap'
import fastifyPusher from '../index'
import { checkedFastify, credentials, hmac, KEY, postForm, postWebhook } from './helpers/app'

const memberAdded = '{"time_ms":1,"events":[{"name":"member_added","channel":"presence-a","user_id":"u1"}]}'

/** An app of the user's own, with a JSON and a form route, and the plugin in it. */
async function userApp (t: Test, setup: (app: FastifyInstance) => Promise<void>) {
  const app = checkedFastify(t)
  t.teardown(async () => { await app.close() })
  await setup(app)
  app.post('/echo', async (request) => ({ body: request.body, isBuffer: Buffer.isBuffer(request.body) }))
  await app.ready()
  app.pusher.auth(() => true)
  app.pusher.webhooks.presence(() => {})
  return app
}

/** The plugin's routes and the user's route both behave. */
async function checkBoth (t: Test, app: FastifyInstance, { form = false } = {}) {
  const json = await app.inject({ method: 'POST', url: '/echo', payload: { a: 1 } })
  t.same(json.json(), { body: { a: 1 }, isBuffer: false }, 'the user\'s JSON route parses as before')
  if (form) t.same((await postForm(app, '/echo', 'a=1')).json().body, { a: '1' }, 'the user\'s form route too')
  t.equal((await postForm(app, '/pusher/auth', 'socket_id=1.42&channel_name=private-a')).statusCode, 200, 'auth form')
  t.equal((await app.inject({ method: 'POST', url: '/pusher/auth', payload: { socket_id: '1.42', channel_name: 'private-a' } })).statusCode, 200, 'auth JSON')
  t.equal((await postWebhook(app, 'presence', memberAdded)).statusCode, 200, 'signed webhook')
}

t.test('the plugin changes nothing in the app\'s own parsing', async (t) => {
  const app = await userApp(t, async (app) => { await app.register(fastifyPusher, credentials) })
  await checkBoth(t, app)
  const form = await postForm(app, '/echo', 'a=1')
  t.equal(form.statusCode, 415, 'no form parser leaked into the app')
})

t.test('a user\'s @fastify/formbody, registered before the plugin', async (t) => {
  const app = await userApp(t, async (app) => {
    await app.register(formbody)
    await app.register(fastifyPusher, credentials)
  })
  await checkBoth(t, app, { form: true })
})

t.test('a user\'s @fastify/formbody, registered after the plugin', async (t) => {
  const app = await userApp(t, async (app) => {
    await app.register(fastifyPusher, credentials)
    await app.register(formbody)
  })
  await checkBoth(t, app, { form: true })
})

t.test('a user\'s catch-all and custom JSON parsers', async (t) => {
  const app = await userApp(t, async (app) => {
    app.removeContentTypeParser('application/json')
    app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => { done(null, JSON.parse(body as string)) })
    app.addContentTypeParser('*', (request, payload, done) => { done(null, 'catch-all') })
    await app.register(fastifyPusher, credentials)
  })
  await checkBoth(t, app)
  t.equal((await postForm(app, '/echo', 'a=1')).json().body, 'catch-all', 'the user\'s catch-all still serves the app')
})

t.test('hooks the app adds before registering run on the plugin\'s routes', async (t) => {
  const app = checkedFastify(t)
  t.teardown(async () => { await app.close() })
  app.decorateRequest('user', null)
  app.addHook('onRequest', async (request, reply) => {
    if (request.headers.authorization !== 'Bearer ann') return await reply.code(401).send({ error: 'log in' })
    ;(request as any).user = 'ann'
  })
  await app.register(fastifyPusher, credentials)
  app.pusher.auth((request) => (request as any).user === 'ann')
  const anonymous = await postForm(app, '/pusher/auth', 'socket_id=1.42&channel_name=private-a')
  t.equal(anonymous.statusCode, 401)
  const ann = await app.inject({ method: 'POST', url: '/pusher/auth', payload: 'socket_id=1.42&channel_name=private-a', headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: 'Bearer ann' } })
  t.equal(ann.statusCode, 200)
})

t.test('the route bodyLimit holds on the raw webhook body', async (t) => {
  const app = checkedFastify(t, { bodyLimit: 1024 })
  t.teardown(async () => { await app.close() })
  await app.register(fastifyPusher, credentials)
  app.pusher.webhooks.presence(() => {})
  const big = JSON.stringify({ time_ms: 1, events: [{ name: 'member_added', channel: 'presence-a', user_id: 'x'.repeat(2000) }] })
  const res = await app.inject({ method: 'POST', url: '/pusher/events/presence', payload: big, headers: { 'content-type': 'application/json', 'x-pusher-key': KEY, 'x-pusher-signature': hmac(big) } })
  t.equal(res.statusCode, 413)
})
