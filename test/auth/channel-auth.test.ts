import { createHash } from 'node:crypto'
import t from 'tap'
import { buildApp, captureLogs, hmac, INTERNAL, KEY, MASTER_KEY, postForm } from '../helpers/app'

// Signatures from the issue, computed independently of the plugin.
const PRIVATE_A_AUTH = 'KEY:fff3f36f373867934b3ecb50c97706d218edf28cce006fdc7bcaca744619ade6'
const PRESENCE_A_AUTH = 'KEY:998dda00e4b5a62ac21a59b24757be173814af5dede1c2c5da17ec4b485fb9a0'

t.test('the auth route is POST /pusher/auth by default', async (t) => {
  const app = await buildApp(t)
  app.pusher.auth(() => true)
  const res = await postForm(app, '/pusher/auth', 'socket_id=1.42&channel_name=private-a')
  t.equal(res.statusCode, 200)
  t.same(res.json(), { auth: PRIVATE_A_AUTH })
})

t.test('prefix and authPath move the route', async (t) => {
  const app = await buildApp(t, { prefix: '/realtime/', authPath: '/channels/authorize' })
  app.pusher.auth(() => true)
  t.equal((await postForm(app, '/realtime/channels/authorize', 'socket_id=1.42&channel_name=private-a')).statusCode, 200)
  t.equal((await postForm(app, '/pusher/auth', 'socket_id=1.42&channel_name=private-a')).statusCode, 404)
})

t.test('without an auth handler every request is forbidden, whatever the body', async (t) => {
  const app = await buildApp(t)
  for (const body of ['socket_id=1.42&channel_name=private-a', '', 'socket_id=bad', '&socket_id=1.2&channel_name[0]=private-a']) {
    const res = await postForm(app, '/pusher/auth', body)
    t.equal(res.statusCode, 403, `body ${JSON.stringify(body)}`)
    t.equal(res.json().code, 'FST_PUSHER_NO_AUTH_HANDLER')
  }
  const json = await app.inject({ method: 'POST', url: '/pusher/auth', payload: { socket_id: '1.42', channel_name: 'private-a' } })
  t.equal(json.statusCode, 403)
  const unknownType = await app.inject({ method: 'POST', url: '/pusher/auth', payload: 'x', headers: { 'content-type': 'text/plain' } })
  t.equal(unknownType.statusCode, 403, 'refused before the body is read: even one Fastify cannot parse')
  const huge = await postForm(app, '/pusher/auth', `socket_id=1.42&junk=${'x'.repeat(200_000)}`)
  t.equal(huge.statusCode, 403, 'refused before the body limit is checked: the body is never read')
})

t.test('a handler that refuses gets 403', async (t) => {
  const app = await buildApp(t)
  app.pusher.auth(async () => false)
  const res = await postForm(app, '/pusher/auth', 'socket_id=1.42&channel_name=private-a')
  t.equal(res.statusCode, 403)
  t.same(res.json(), {
    statusCode: 403,
    code: 'FST_PUSHER_FORBIDDEN',
    error: 'Forbidden',
    message: 'Not allowed to subscribe to channel "private-a"'
  })
})

t.test('the handler gets the request, channel name and socket id; sync or async; set before or after ready; replaced when set twice', async (t) => {
  const app = await buildApp(t)
  await app.ready()
  const calls: unknown[] = []
  app.pusher.auth(() => false)
  app.pusher.auth(async (request, channelName, socketId) => {
    calls.push([request.headers['x-user'], channelName, socketId])
    return request.headers['x-user'] === 'ann'
  })
  const allowed = await app.inject({ method: 'POST', url: '/pusher/auth', payload: 'socket_id=1.42&channel_name=private-a', headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-user': 'ann' } })
  const refused = await app.inject({ method: 'POST', url: '/pusher/auth', payload: 'socket_id=1.42&channel_name=private-a', headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-user': 'bob' } })
  t.equal(allowed.statusCode, 200)
  t.equal(refused.statusCode, 403)
  t.same(calls, [['ann', 'private-a', '1.42'], ['bob', 'private-a', '1.42']])
})

t.test('a handler setter rejects what is not a function', async (t) => {
  const app = await buildApp(t)
  t.throws(() => app.pusher.auth('yes' as any), { code: 'FST_PUSHER_INVALID_HANDLER', message: 'The auth handler must be a function, got string' })
  t.throws(() => app.pusher.webhooks.presence(undefined as any), { code: 'FST_PUSHER_INVALID_HANDLER' })
})

t.test('JSON bodies are accepted too, parsed safely', async (t) => {
  const app = await buildApp(t)
  app.pusher.auth(() => true)
  const res = await app.inject({ method: 'POST', url: '/pusher/auth', payload: { socket_id: '1.42', channel_name: 'private-a' } })
  t.same(res.json(), { auth: PRIVATE_A_AUTH })
  const charset = await app.inject({ method: 'POST', url: '/pusher/auth', payload: '{"socket_id":"1.42","channel_name":"private-a"}', headers: { 'content-type': 'application/json; charset=utf-8' } })
  t.equal(charset.statusCode, 200)
  const poisoned = await app.inject({ method: 'POST', url: '/pusher/auth', payload: '{"socket_id":"1.42","channel_name":"private-a","__proto__":{"x":1}}', headers: { 'content-type': 'application/json' } })
  t.equal(poisoned.statusCode, 400)
  const broken = await app.inject({ method: 'POST', url: '/pusher/auth', payload: '{"socket_id":', headers: { 'content-type': 'application/json' } })
  t.equal(broken.statusCode, 400)
})

t.test('bad input is a 400 that names the field, never a 500', async (t) => {
  const app = await buildApp(t)
  app.pusher.auth(() => true)
  const cases: Array<[string, RegExp]> = [
    ['socket_id=abc&channel_name=private-a', /socket_id/],
    ['socket_id=1.42%0A&channel_name=private-a', /socket_id/],
    ['socket_id=1&channel_name=private-a', /socket_id/],
    ['channel_name=private-a', /socket_id/],
    ['socket_id=1.42&channel_name=private-a!', /channel_name/],
    ['socket_id=1.42&channel_name=', /channel_name/],
    [`socket_id=1.42&channel_name=private-${'a'.repeat(157)}`, /channel_name/],
    ['socket_id=1.42', /channel_name/],
    ['socket_id=1.42&channel_name=private-a&channel_name=private-b', /channel_name.*more than once/],
    ['socket_id=1.42&socket_id=1.43&channel_name=private-a', /socket_id.*more than once/]
  ]
  for (const [body, field] of cases) {
    const res = await postForm(app, '/pusher/auth', body)
    t.equal(res.statusCode, 400, body)
    t.match(res.json().message, field, body)
  }
  const longest = await postForm(app, '/pusher/auth', `socket_id=1.42&channel_name=private-${'a'.repeat(156)}`)
  t.equal(longest.statusCode, 200, 'a 164-character name is fine')
})

t.test('a channel that is neither private nor presence gets 404', async (t) => {
  const app = await buildApp(t)
  let called = false
  app.pusher.auth(() => { called = true; return true })
  const res = await postForm(app, '/pusher/auth', 'socket_id=1.42&channel_name=public-chat')
  t.equal(res.statusCode, 404)
  t.equal(res.json().code, 'FST_PUSHER_CHANNEL_NOT_AUTHORIZABLE')
  t.notOk(called, 'the handler is not asked')
})

t.test('a handler that throws a 4xx error answers with that status', async (t) => {
  const app = await buildApp(t)
  app.pusher.auth(() => { throw Object.assign(new Error('Log in first'), { statusCode: 401 }) })
  const res = await postForm(app, '/pusher/auth', 'socket_id=1.42&channel_name=private-a')
  t.equal(res.statusCode, 401)
  t.equal(res.json().message, 'Log in first')
})

t.test('a handler that throws anything else is a logged 500 with no stack or secret in the body', async (t) => {
  const logs = captureLogs()
  const app = await buildApp(t, {}, { logger: logs.logger })
  app.pusher.auth(async () => { throw new Error(`database down, password ${INTERNAL}`) })
  const res = await postForm(app, '/pusher/auth', 'socket_id=1.42&channel_name=private-a')
  t.equal(res.statusCode, 500)
  t.same(res.json(), { statusCode: 500, code: 'FST_PUSHER_HANDLER_FAILED', error: 'Internal Server Error', message: 'The auth handler failed' })
  t.notMatch(res.body, INTERNAL)
  t.notMatch(res.body, /at .*\.ts:\d+/)
  t.match(logs.text(), 'database down', 'the cause is logged')
  t.ok(logs.lines.some((line) => line.level === 50), 'at error level')
})

t.test('presence channels: channel_data defaults to the socket id', async (t) => {
  const app = await buildApp(t)
  app.pusher.auth(() => true)
  const res = await postForm(app, '/pusher/auth', 'socket_id=1.42&channel_name=presence-a')
  t.equal(res.statusCode, 200)
  t.same(res.json(), { auth: PRESENCE_A_AUTH, channel_data: '{"user_id":"1.42"}' })
})

t.test('private channels carry no channel_data, even with a channelData handler', async (t) => {
  const app = await buildApp(t)
  app.pusher.auth(() => true)
  app.pusher.channelData(() => ({ user_id: 'u1' }))
  t.same((await postForm(app, '/pusher/auth', 'socket_id=1.42&channel_name=private-a')).json(), { auth: PRIVATE_A_AUTH })
})

t.test('presence channels: the channelData handler describes the member', async (t) => {
  const app = await buildApp(t)
  app.pusher.auth(() => true)
  const seen: unknown[] = []
  app.pusher.channelData(async (request, channelName, socketId) => {
    seen.push([request.method, channelName, socketId])
    return { user_id: 'u1', user_info: { name: 'Ann' } }
  })
  const res = await postForm(app, '/pusher/auth', 'socket_id=1.42&channel_name=presence-a')
  const channelData = '{"user_id":"u1","user_info":{"name":"Ann"}}'
  t.same(res.json(), { auth: `${KEY}:${hmac(`1.42:presence-a:${channelData}`)}`, channel_data: channelData })
  t.same(seen, [['POST', 'presence-a', '1.42']])
})

t.test('presence member rules: undefined keeps the socket id, numbers become strings', async (t) => {
  const app = await buildApp(t)
  app.pusher.auth(() => true)
  const expectations: Array<[unknown, string]> = [
    [undefined, '{"user_id":"1.42"}'],
    [{ user_info: { name: 'Ann' } }, '{"user_id":"1.42","user_info":{"name":"Ann"}}'],
    [{ user_id: undefined, user_info: { a: 1 } }, '{"user_id":"1.42","user_info":{"a":1}}'],
    [{ user_id: 42 }, '{"user_id":"42"}'],
    [{ user_id: 'x'.repeat(128) }, `{"user_id":"${'x'.repeat(128)}"}`]
  ]
  for (const [returned, channelData] of expectations) {
    app.pusher.channelData(() => returned as any)
    const res = await postForm(app, '/pusher/auth', 'socket_id=1.42&channel_name=presence-a')
    t.equal(res.statusCode, 200)
    t.equal(res.json().channel_data, channelData, JSON.stringify(returned))
    t.equal(res.json().auth, `${KEY}:${hmac(`1.42:presence-a:${channelData}`)}`)
  }
})

t.test('an invalid presence member is a logged 500 and nothing is signed', async (t) => {
  const logs = captureLogs()
  const app = await buildApp(t, {}, { logger: logs.logger })
  app.pusher.auth(() => true)
  for (const returned of [{ user_id: '' }, { user_id: 'x'.repeat(129) }, { user_id: { id: 1 } }, { user_id: Number.NaN }, 'u1', [1]]) {
    app.pusher.channelData(() => returned as any)
    const res = await postForm(app, '/pusher/auth', 'socket_id=1.42&channel_name=presence-a')
    t.equal(res.statusCode, 500, JSON.stringify(returned))
    t.equal(res.json().code, 'FST_PUSHER_INVALID_CHANNEL_DATA')
    t.notOk('auth' in res.json())
  }
  t.match(logs.text(), 'FST_PUSHER_INVALID_CHANNEL_DATA')
})

t.test('a channelData handler that throws is a 500 (or its own 4xx)', async (t) => {
  const app = await buildApp(t)
  app.pusher.auth(() => true)
  app.pusher.channelData(() => { throw new Error('boom') })
  t.equal((await postForm(app, '/pusher/auth', 'socket_id=1.42&channel_name=presence-a')).json().message, 'The channelData handler failed')
  app.pusher.channelData(() => { throw Object.assign(new Error('no profile'), { statusCode: 409 }) })
  t.equal((await postForm(app, '/pusher/auth', 'socket_id=1.42&channel_name=presence-a')).statusCode, 409)
})

t.test('encrypted channels get a shared_secret derived from the master key', async (t) => {
  const app = await buildApp(t, { encryptionMasterKeyBase64: MASTER_KEY })
  app.pusher.auth(() => true)
  const channel = 'private-encrypted-a'
  const res = await postForm(app, '/pusher/auth', `socket_id=1.42&channel_name=${channel}`)
  const sharedSecret = createHash('sha256').update(Buffer.concat([Buffer.from(channel), Buffer.from(MASTER_KEY, 'base64')])).digest('base64')
  t.equal(res.statusCode, 200)
  t.same(res.json(), { auth: `${KEY}:${hmac(`1.42:${channel}`)}`, shared_secret: sharedSecret })
})

t.test('encrypted channels without a master key: 404, and one warning naming the option however many requests', async (t) => {
  const logs = captureLogs()
  const app = await buildApp(t, {}, { logger: logs.logger })
  let asked = 0
  app.pusher.auth(() => { asked++; return true })
  for (let i = 0; i < 5; i++) {
    const res = await postForm(app, '/pusher/auth', `socket_id=1.42&channel_name=private-encrypted-a${i}`)
    t.equal(res.statusCode, 404)
    t.same(res.json(), {
      statusCode: 404,
      code: 'FST_PUSHER_ENCRYPTION_NOT_CONFIGURED',
      error: 'Not Found',
      message: `Encrypted channel "private-encrypted-a${i}" is not available on this server`
    })
  }
  const batch = '&socket_id=1.42' + Array.from({ length: 100 }, (_, i) => `&channel_name[${i}]=private-encrypted-b${i}`).join('')
  const answer = (await postForm(app, '/pusher/auth', batch)).json()
  t.same(new Set(Object.values(answer).map((entry: any) => entry.status)), new Set([404]), 'each channel of a batch is a 404')
  t.equal(asked, 0, 'the handler is not asked')
  const warnings = logs.lines.filter((line) => line.level === 40)
  t.equal(warnings.length, 1, 'one warning')
  t.match(warnings[0].msg, 'encryptionMasterKeyBase64')
  t.equal(logs.lines.filter((line) => line.level >= 50).length, 0, 'no error line')
})

t.test('a socket id longer than 64 characters is a 400, so the default presence member always fits', async (t) => {
  const logs = captureLogs()
  const app = await buildApp(t, {}, { logger: logs.logger })
  app.pusher.auth(() => true)
  const longest = `${'1'.repeat(31)}.${'2'.repeat(32)}`
  const fits = await postForm(app, '/pusher/auth', `socket_id=${longest}&channel_name=presence-a`)
  t.equal(fits.statusCode, 200)
  t.equal(fits.json().channel_data, `{"user_id":"${longest}"}`)
  const res = await postForm(app, '/pusher/auth', `socket_id=${'1'.repeat(65)}.1&channel_name=presence-a`)
  t.equal(res.statusCode, 400)
  t.match(res.json().message, 'socket_id')
  const digits130 = await postForm(app, '/pusher/auth', `socket_id=${'1'.repeat(65)}.${'2'.repeat(64)}&channel_name=presence-a`)
  t.equal(digits130.statusCode, 400)
  t.equal(logs.lines.filter((line) => line.level >= 50).length, 0, 'no error line')
})

t.test('a request with no body at all is a 400 naming socket_id', async (t) => {
  const app = await buildApp(t)
  app.pusher.auth(() => true)
  const res = await app.inject({ method: 'POST', url: '/pusher/auth' })
  t.equal(res.statusCode, 400)
  t.match(res.json().message, 'socket_id')
})
