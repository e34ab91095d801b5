import t from 'tap'
import { buildApp, captureLogs, checkedFastify, hmac, INTERNAL, KEY, postForm } from '../helpers/app'

/** What the official client must sign for `signin()`: computed here without it. */
const signed = (socketId: string, userData: string) => ({ auth: `${KEY}:${hmac(`${socketId}::user::${userData}`)}`, user_data: userData })

t.test('POST /pusher/user-auth signs the user the handler returns', async (t) => {
  const app = await buildApp(t)
  const seen: unknown[] = []
  app.pusher.userAuth(async (request, socketId) => {
    seen.push([request.method, socketId])
    return { id: 'ann', user_info: { name: 'Ann' }, watchlist: ['bob', 'cy'] }
  })
  const res = await postForm(app, '/pusher/user-auth', 'socket_id=1.42')
  t.equal(res.statusCode, 200)
  t.same(res.json(), signed('1.42', '{"id":"ann","user_info":{"name":"Ann"},"watchlist":["bob","cy"]}'))
  t.same(seen, [['POST', '1.42']])
})

t.test('sync handlers, JSON bodies, numeric ids made strings, only Pusher\'s three fields signed', async (t) => {
  const app = await buildApp(t)
  app.pusher.userAuth(() => ({ id: 42, watchlist: [7, 'x'], extra: 'dropped' } as any))
  const res = await app.inject({ method: 'POST', url: '/pusher/user-auth', payload: { socket_id: '1.42' } })
  t.equal(res.statusCode, 200)
  t.same(res.json(), signed('1.42', '{"id":"42","watchlist":["7","x"]}'))
})

t.test('userAuthPath and prefix move the route', async (t) => {
  const app = await buildApp(t, { prefix: '/broadcasting', userAuthPath: '/sign-in' })
  app.pusher.userAuth(() => ({ id: 'u' }))
  t.equal((await postForm(app, '/broadcasting/sign-in', 'socket_id=1.42')).statusCode, 200)
  t.equal((await postForm(app, '/broadcasting/user-auth', 'socket_id=1.42')).statusCode, 404)
})

t.test('no handler: 403 FST_PUSHER_NO_USER_AUTH_HANDLER whatever the body', async (t) => {
  const app = await buildApp(t)
  app.pusher.auth(() => true) // a channel auth handler does not sign users in
  for (const body of ['socket_id=1.42', '', 'socket_id=bad']) {
    const res = await postForm(app, '/pusher/user-auth', body)
    t.equal(res.statusCode, 403)
    t.same(res.json(), { statusCode: 403, code: 'FST_PUSHER_NO_USER_AUTH_HANDLER', error: 'Forbidden', message: 'User authentication is not configured: no userAuth handler is set' })
  }
  const text = await app.inject({ method: 'POST', url: '/pusher/user-auth', payload: 'x', headers: { 'content-type': 'text/plain' } })
  t.equal(text.statusCode, 403, 'before the body is read')
})

t.test('a falsy return is a 403', async (t) => {
  const app = await buildApp(t)
  for (const returned of [null, undefined, false]) {
    app.pusher.userAuth(async () => returned as any)
    const res = await postForm(app, '/pusher/user-auth', 'socket_id=1.42')
    t.equal(res.statusCode, 403, String(returned))
    t.equal(res.json().code, 'FST_PUSHER_USER_AUTH_FORBIDDEN')
  }
})

t.test('an invalid or missing socket_id is a 400 naming it; the handler is not called', async (t) => {
  const app = await buildApp(t)
  let called = 0
  app.pusher.userAuth(() => { called++; return { id: 'u' } })
  for (const body of ['', 'socket_id=abc', 'socket_id=1.2.3', `socket_id=${'1'.repeat(70)}.1`, 'socket_id=1.1&socket_id=1.2']) {
    const res = await postForm(app, '/pusher/user-auth', body)
    t.equal(res.statusCode, 400, body)
    t.match(res.json().message, 'socket_id', body)
  }
  const none = await app.inject({ method: 'POST', url: '/pusher/user-auth' })
  t.equal(none.statusCode, 400)
  t.match(none.json().message, 'socket_id')
  const number = await app.inject({ method: 'POST', url: '/pusher/user-auth', payload: { socket_id: 1.42 } })
  t.equal(number.statusCode, 400, 'a JSON number is not a socket id')
  t.equal(called, 0)
})

t.test('a handler\'s 4xx passes through; any other throw is a logged 500 that says nothing of it', async (t) => {
  const logs = captureLogs()
  const app = await buildApp(t, {}, { logger: logs.logger })
  app.pusher.userAuth(() => { throw Object.assign(new Error('Log in first'), { statusCode: 401 }) })
  const unauthorized = await postForm(app, '/pusher/user-auth', 'socket_id=1.42')
  t.equal(unauthorized.statusCode, 401)
  t.equal(unauthorized.json().message, 'Log in first')
  app.pusher.userAuth(async () => { throw new Error(`db down ${INTERNAL}`) })
  const failed = await postForm(app, '/pusher/user-auth', 'socket_id=1.42')
  t.equal(failed.statusCode, 500)
  t.same(failed.json(), { statusCode: 500, code: 'FST_PUSHER_HANDLER_FAILED', error: 'Internal Server Error', message: 'The userAuth handler failed' })
  t.notMatch(failed.body, INTERNAL)
  t.match(logs.text(), 'db down')
})

t.test('user data that breaks Pusher\'s rules is a logged 500 FST_PUSHER_INVALID_USER_DATA, nothing signed', async (t) => {
  const logs = captureLogs()
  const app = await buildApp(t, {}, { logger: logs.logger })
  const invalid: unknown[] = [
    true, 'ann', [1], {}, { id: '' }, { id: 'x'.repeat(129) }, { id: null }, { id: Number.NaN }, { id: { a: 1 } },
    { id: 'u', user_info: 'Ann' }, { id: 'u', user_info: [1] },
    { id: 'u', watchlist: 'bob' }, { id: 'u', watchlist: [''] }, { id: 'u', watchlist: ['x'.repeat(129)] },
    { id: 'u', watchlist: Array.from({ length: 101 }, (_, i) => `u${i}`) }
  ]
  for (const returned of invalid) {
    app.pusher.userAuth(() => returned as any)
    const res = await postForm(app, '/pusher/user-auth', 'socket_id=1.42')
    t.equal(res.statusCode, 500, JSON.stringify(returned))
    t.equal(res.json().code, 'FST_PUSHER_INVALID_USER_DATA')
    t.notOk('auth' in res.json())
  }
  t.ok(logs.lines.filter((line) => line.level === 50).length >= invalid.length, 'each one logged')
  app.pusher.userAuth(() => ({ id: 'x'.repeat(128), watchlist: Array.from({ length: 100 }, (_, i) => i) }))
  t.equal((await postForm(app, '/pusher/user-auth', 'socket_id=1.42')).statusCode, 200, 'the limits themselves are fine')
})

t.test('the user-auth route has the auth route\'s parsers: form and JSON only, in its own scope', async (t) => {
  const app = await buildApp(t)
  app.pusher.userAuth(() => ({ id: 'u' }))
  const text = await app.inject({ method: 'POST', url: '/pusher/user-auth', payload: 'socket_id=1.42', headers: { 'content-type': 'text/plain' } })
  t.equal(text.statusCode, 415)
  const poisoned = await app.inject({ method: 'POST', url: '/pusher/user-auth', payload: '{"socket_id":"1.42","__proto__":{"x":1}}', headers: { 'content-type': 'application/json' } })
  t.equal(poisoned.statusCode, 400)
})

t.test('userAuthPath is checked at register time', async (t) => {
  const { default: fastifyPusher } = await import('../../index')
  for (const [options, message] of [
    [{ userAuthPath: 'user-auth' }, /userAuthPath.*starts with "\/"/],
    [{ userAuthPath: 3 }, /userAuthPath/],
    [{ userAuthPath: '/auth' }, /userAuthPath.*differ from authPath/]
  ] as const) {
    const app = checkedFastify(t)
    t.teardown(async () => { await app.close() })
    await t.rejects(async () => { await app.register(fastifyPusher, { appId: '1', key: 'k', secret: 's', ...options } as any).ready() }, { code: 'FST_PUSHER_INVALID_OPTION', message })
  }
})
