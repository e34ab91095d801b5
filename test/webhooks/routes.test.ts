import t from 'tap'
import { buildApp, captureLogs, hmac, INTERNAL, KEY, postWebhook } from '../helpers/app'

const occupied = JSON.stringify({ time_ms: 1700000000000, events: [{ name: 'channel_occupied', channel: 'chat' }, { name: 'channel_vacated', channel: 'news' }] })
const memberAdded = JSON.stringify({ time_ms: 1700000000000, events: [{ name: 'member_added', channel: 'presence-a', user_id: 'u1' }] })
const clientEvent = JSON.stringify({ time_ms: 1700000000000, events: [{ name: 'client_event', channel: 'private-a', event: 'client-typing', data: '{"on":true}', socket_id: '1.42' }] })

t.test('the body signature from the issue, computed independently', async (t) => {
  t.equal(hmac('{"a": "b"}'), '7f10adef68a15dbc702431106c6baa0f9834607dc625e8345ddb80ef356a5895')
})

t.test('a route with no handler is 404, checked first', async (t) => {
  const app = await buildApp(t)
  for (const path of ['channel_existence', 'presence', 'client']) {
    const res = await app.inject({ method: 'POST', url: `/pusher/events/${path}`, payload: 'garbage', headers: { 'content-type': 'text/plain' } })
    t.equal(res.statusCode, 404, path)
    t.equal(res.json().code, 'FST_PUSHER_NO_WEBHOOK_HANDLER')
  }
})

t.test('each route hands its verified payload to its handler and answers 200', async (t) => {
  const app = await buildApp(t)
  const received: Record<string, unknown> = {}
  app.pusher.webhooks.channelExistence(async (request, payload) => { received.channelExistence = payload })
  app.pusher.webhooks.presence((request, payload) => { received.presence = payload })
  app.pusher.webhooks.client(async (request, payload) => { received.client = payload.events[0].data })
  for (const [path, body] of [['channel_existence', occupied], ['presence', memberAdded], ['client', clientEvent]]) {
    const res = await postWebhook(app, path, body)
    t.equal(res.statusCode, 200, path)
    t.same(res.json(), { ok: true })
  }
  t.same(received, { channelExistence: JSON.parse(occupied), presence: JSON.parse(memberAdded), client: '{"on":true}' })
})

t.test('X-Pusher-Key missing or wrong: 403, before the body is looked at', async (t) => {
  const app = await buildApp(t)
  let called = false
  app.pusher.webhooks.presence(() => { called = true })
  const noKey = await app.inject({ method: 'POST', url: '/pusher/events/presence', payload: memberAdded, headers: { 'content-type': 'application/json', 'x-pusher-signature': hmac(memberAdded) } })
  t.equal(noKey.statusCode, 403)
  t.equal(noKey.json().code, 'FST_PUSHER_WEBHOOK_INVALID_KEY')
  const wrongKeyEmptyBody = await app.inject({ method: 'POST', url: '/pusher/events/presence', headers: { 'content-type': 'application/json', 'x-pusher-key': 'OTHER' } })
  t.equal(wrongKeyEmptyBody.statusCode, 403)
  const wrongKeyNoBody = await app.inject({ method: 'POST', url: '/pusher/events/presence', headers: { 'x-pusher-key': 'OTHER' } })
  t.equal(wrongKeyNoBody.statusCode, 403)
  const wrongKeyBrokenBody = await postWebhook(app, 'presence', '{"broken', { 'x-pusher-key': 'OTHER' })
  t.equal(wrongKeyBrokenBody.statusCode, 403)
  t.notOk(called)
})

t.test('X-Pusher-Signature missing or wrong: 403', async (t) => {
  const app = await buildApp(t)
  let called = false
  app.pusher.webhooks.presence(() => { called = true })
  const noSignature = await app.inject({ method: 'POST', url: '/pusher/events/presence', payload: memberAdded, headers: { 'content-type': 'application/json', 'x-pusher-key': KEY } })
  t.equal(noSignature.statusCode, 403)
  t.equal(noSignature.json().code, 'FST_PUSHER_WEBHOOK_INVALID_SIGNATURE')
  for (const signature of ['bad', hmac(memberAdded, 'OTHERSECRET'), hmac(memberAdded).toUpperCase(), hmac(memberAdded + ' ')]) {
    const res = await postWebhook(app, 'presence', memberAdded, { 'x-pusher-signature': signature })
    t.equal(res.statusCode, 403, signature)
  }
  t.notOk(called)
})

t.test('the signature covers the exact bytes: re-serialised JSON would not match', async (t) => {
  const app = await buildApp(t)
  app.pusher.webhooks.presence(() => {})
  const spaced = '{ "time_ms" : 1, "events" : [ { "name" : "member_removed", "channel" : "presence-a", "user_id" : "ü1" } ] }'
  t.equal((await postWebhook(app, 'presence', spaced)).statusCode, 200)
  const resigned = await postWebhook(app, 'presence', spaced, { 'x-pusher-signature': hmac(JSON.stringify(JSON.parse(spaced))) })
  t.equal(resigned.statusCode, 403)
})

t.test('a signed body that is not a valid payload is a 400', async (t) => {
  const app = await buildApp(t)
  let called = false
  app.pusher.webhooks.presence(() => { called = true })
  app.pusher.webhooks.client(() => { called = true })
  const res = await postWebhook(app, 'presence', '{"a": "b"}')
  t.equal(res.headers['x-pusher-signature'], undefined)
  t.equal(res.statusCode, 400, 'the issue\'s {"a": "b"}: signature fine, payload not')
  t.match(res.json().message, 'time_ms')
  const bodies = [
    '{"broken',
    '',
    '{"time_ms":1,"events":[{"channel":"presence-a","user_id":"u1"}]}',
    '{"time_ms":1,"events":[{"name":"member_added","channel":"presence-a"}]}',
    '{"time_ms":1,"events":[{"name":"member_added","channel":"presence-a","user_id":1.5}]}',
    '{"time_ms":"1","events":[]}',
    '{"time_ms":1,"events":[{"name":1}]}',
    '{"time_ms":1,"events":["member_added"]}',
    '{"time_ms":1,"events":{}}',
    '{"time_ms":1,"events":[],"__proto__":{"polluted":true}}',
    '{"time_ms":1,"events":[{"constructor":{"prototype":{"polluted":true}}}]}'
  ]
  for (const body of bodies) {
    t.equal((await postWebhook(app, 'presence', body)).statusCode, 400, body)
  }
  t.equal((await postWebhook(app, 'client', '{"time_ms":1,"events":[{"name":"client_event","channel":"a"}]}')).statusCode, 400)
  t.notOk(called)
  t.equal(({} as any).polluted, undefined)
})

t.test('application/json with or without charset; other content types are 415 once signed', async (t) => {
  const app = await buildApp(t)
  app.pusher.webhooks.presence(() => {})
  t.equal((await postWebhook(app, 'presence', memberAdded, { 'content-type': 'application/json; charset=utf-8' })).statusCode, 200)
  t.equal((await postWebhook(app, 'presence', memberAdded, { 'content-type': 'Application/JSON;charset=UTF-8' })).statusCode, 200)
  const form = await postWebhook(app, 'presence', memberAdded, { 'content-type': 'application/x-www-form-urlencoded' })
  t.equal(form.statusCode, 415)
  t.equal(form.json().code, 'FST_PUSHER_WEBHOOK_UNSUPPORTED_MEDIA_TYPE')
  const none = await app.inject({ method: 'POST', url: '/pusher/events/presence', headers: { 'x-pusher-key': KEY, 'x-pusher-signature': hmac('') } })
  t.equal(none.statusCode, 415, 'a signed empty body with no content type')
})

t.test('a handler that throws is a logged 500 so that Pusher retries; its 4xx passes through', async (t) => {
  const logs = captureLogs()
  const app = await buildApp(t, {}, { logger: logs.logger })
  app.pusher.webhooks.presence(async () => { throw new Error(`queue full, secret ${INTERNAL}`) })
  const res = await postWebhook(app, 'presence', memberAdded)
  t.equal(res.statusCode, 500)
  t.same(res.json(), { statusCode: 500, code: 'FST_PUSHER_HANDLER_FAILED', error: 'Internal Server Error', message: 'The presence webhook handler failed' })
  t.notMatch(res.body, INTERNAL)
  t.match(logs.text(), 'queue full')
  app.pusher.webhooks.presence(() => { throw Object.assign(new Error('gone'), { statusCode: 410 }) })
  t.equal((await postWebhook(app, 'presence', memberAdded)).statusCode, 410)
})

t.test('webhook routes follow the prefix', async (t) => {
  const app = await buildApp(t, { prefix: '' })
  app.pusher.webhooks.client(() => {})
  const res = await app.inject({ method: 'POST', url: '/events/client', payload: clientEvent, headers: { 'content-type': 'application/json', 'x-pusher-key': KEY, 'x-pusher-signature': hmac(clientEvent) } })
  t.equal(res.statusCode, 200)
})
