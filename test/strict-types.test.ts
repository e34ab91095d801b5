// The plugin's routes validate without type coercion, whatever Ajv options the app set:
// a number is not a string, a string is not a number, one value is not a list, and the
// answer names the field.
import t from 'tap'
import { buildApp, hmac, KEY } from './helpers/app'

// The most coercing Ajv an app can ask Fastify for.
const coercing = { ajv: { customOptions: { coerceTypes: 'array' as const, useDefaults: true, removeAdditional: 'all' as const } } }
const json = { 'content-type': 'application/json' }

t.test('auth: a JSON number is not a socket_id, a list is not a channel_name, a number is not a channel name', async (t) => {
  const app = await buildApp(t, {}, coercing)
  let signed = 0
  app.pusher.auth(() => { signed++; return true })
  app.pusher.userAuth(() => { signed++; return { id: 'u1' } })
  const cases: Array<[string, object, RegExp, string?]> = [
    ['/pusher/auth', { socket_id: 1.20, channel_name: 'private-a' }, /^body\/socket_id must be string$/],
    ['/pusher/auth', { socket_id: '1.2', channel_name: ['private-a'] }, /^body\/channel_name must be string$/],
    ['/pusher/auth', { socket_id: '1.2', channel_name: 12 }, /^body\/channel_name must be string$/],
    ['/pusher/auth', { socket_id: ['1.2'], channel_name: 'private-a' }, /^body\/socket_id must be string$/],
    ['/pusher/auth', { socket_id: '1.2', 'channel_name[0]': 7 }, /^body\/channel_name\[0\] must be string$/, 'FST_PUSHER_INVALID_FIELD'],
    ['/pusher/user-auth', { socket_id: 1.2 }, /^body\/socket_id must be string$/]
  ]
  for (const [url, body, message, code = 'FST_ERR_VALIDATION'] of cases) {
    const res = await app.inject({ method: 'POST', url, headers: json, payload: JSON.stringify(body) })
    t.equal(res.statusCode, 400, JSON.stringify(body))
    t.equal(res.json().code, code)
    t.match(res.json().message, message)
  }
  t.equal(signed, 0, 'nothing was signed: 1.20 was never read as "1.2"')
})

t.test('webhooks: a string is not time_ms, a number is not a channel, a string is not subscription_count', async (t) => {
  const app = await buildApp(t, {}, coercing)
  let calls = 0
  app.pusher.webhooks.on('*', () => { calls++ })
  const cases: Array<[string, object, RegExp]> = [
    ['', { time_ms: '1', events: [] }, /^body\/time_ms must be integer$/],
    ['', { time_ms: 1, events: { name: 'x' } }, /^body\/events must be array$/],
    ['channel_existence', { time_ms: 1, events: [{ name: 'channel_occupied', channel: 5 }] }, /^body\/events\/0\/channel must be string/],
    ['subscription_count', { time_ms: 1, events: [{ name: 'subscription_count', channel: 'a', subscription_count: '3' }] }, /^body\/events\/0\/subscription_count must be integer/]
  ]
  for (const [path, body, message] of cases) {
    const payload = JSON.stringify(body)
    const url = path === '' ? '/pusher/events' : `/pusher/events/${path}`
    const res = await app.inject({ method: 'POST', url, payload, headers: { ...json, 'x-pusher-key': KEY, 'x-pusher-signature': hmac(payload) } })
    t.equal(res.statusCode, 400, JSON.stringify(body))
    t.equal(res.json().code, 'FST_ERR_VALIDATION')
    t.match(res.json().message, message)
  }
  t.equal(calls, 0)
})

t.test('the app\'s own routes keep the app\'s Ajv options', async (t) => {
  const app = await buildApp(t, {}, coercing)
  app.post('/own', { schema: { body: { type: 'object', properties: { n: { type: 'string' } } } } }, async (request) => request.body)
  const res = await app.inject({ method: 'POST', url: '/own', headers: json, payload: '{"n":1.5,"extra":true}' })
  t.same(res.json(), { n: '1.5' }, 'coerced and stripped, as the app asked')
})
