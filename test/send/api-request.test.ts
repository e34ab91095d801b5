// The sending pipeline against a loopback stand-in for Pusher's HTTP API: typed errors,
// a 200 with { error }, a timeout that holds, retries, connections reused, nothing secret logged.
import { Agent } from 'node:http'
import { once } from 'node:events'
import type { AddressInfo } from 'node:net'
import t from 'tap'
import { buildApp, captureLogs, checkedFastify, SECRET } from '../helpers/app'
import { json, rawApi as fakeApi } from '../helpers/fake-api'

const options = (port: number) => ({ host: '127.0.0.1', port, useTLS: false })

t.test('a 200 whose body is { error, code } rejects with FST_PUSHER_API_ERROR (soketi 1.6.1)', async (t) => {
  const api = await fakeApi(t, json(200, { error: 'The data content of this event exceeds the allowed maximum (10240 bytes).', code: 413 }))
  const app = await buildApp(t, options(api.port))
  const error = await app.pusher.trigger('chat', 'big', 'x').catch((error: any) => error)
  t.match(error, {
    code: 'FST_PUSHER_API_ERROR',
    statusCode: 413,
    serverMessage: 'The data content of this event exceeds the allowed maximum (10240 bytes).',
    event: 'big',
    channels: ['chat'],
    message: 'The Pusher API refused event "big" on chat: 413 The data content of this event exceeds the allowed maximum (10240 bytes).'
  })
})

t.test('4xx and 5xx answers reject with their status and the server\'s message', async (t) => {
  for (const [status, body] of [[400, { error: 'Bad channel' }], [401, 'Unauthorized'], [503, 'down']] as const) {
    const api = await fakeApi(t, (req, res) => { res.writeHead(status).end(typeof body === 'string' ? body : JSON.stringify(body)) })
    const app = await buildApp(t, options(api.port))
    await t.rejects(app.pusher.triggerBatch([{ channel: 'a', name: 'e', data: 1 }, { channel: 'b', name: 'f', data: 2 }]), {
      code: 'FST_PUSHER_API_ERROR', statusCode: status, serverMessage: typeof body === 'string' ? body : body.error, channels: ['a', 'b']
    })
    t.equal(api.requests.length, 1, `${status}: not retried`)
  }
})

t.test('what the server says of a signature is redacted, and nothing secret reaches a log line', async (t) => {
  const leak = `Invalid signature: expected HMAC of "POST\\n/apps/4/events\\nauth_key=KEY&auth_timestamp=1&auth_version=1.0&body_md5=${'a'.repeat(32)}", you sent auth_signature=${'b'.repeat(64)}`
  const api = await fakeApi(t, json(401, { error: leak }))
  const logs = captureLogs()
  const app = await buildApp(t, options(api.port), { logger: logs.logger })
  app.post('/send', async () => await app.pusher.trigger('chat', 'e', {}))
  const res = await app.inject({ method: 'POST', url: '/send' })
  t.equal(res.statusCode, 401)
  const error = await app.pusher.trigger('chat', 'e', {}).catch((error: any) => error)
  for (const text of [logs.text(), res.body, error.message, JSON.stringify(error), String(error.cause)]) {
    t.notMatch(text, 'b'.repeat(64), 'no signature')
    t.notMatch(text, 'a'.repeat(32), 'no body hash')
    t.notMatch(text, SECRET)
    t.notMatch(text, /auth_signature=[0-9a-f]/)
    t.notMatch(text, '/apps/4/events?', 'no request URL with its query string')
  }
  t.match(error.serverMessage, 'auth_signature=[redacted]')
})

t.test('the timeout holds against a server that sends its headers and then stalls', async (t) => {
  const api = await fakeApi(t, (req, res) => { res.writeHead(500, { 'content-type': 'application/json' }); res.write('{"err') })
  const app = await buildApp(t, { ...options(api.port), timeout: 150 })
  const started = Date.now()
  await t.rejects(app.pusher.trigger('chat', 'e', {}), { code: 'FST_PUSHER_API_TIMEOUT', statusCode: 504 })
  t.ok(Date.now() - started < 5000, 'it did not wait for the server')
  t.equal(api.requests.length, 1, 'a timeout is not retried')
})

t.test('retries: what never left is retried with backoff; what may have been delivered only with retryUnsafe', async (t) => {
  // A port nobody listens on: every attempt is refused while connecting.
  const closed = await fakeApi(t, json(200, {}))
  closed.server.close()
  let connects = 0
  const agent = new Agent()
  const createConnection = (agent as any).createConnection.bind(agent)
  ;(agent as any).createConnection = (...args: unknown[]) => { connects++; return createConnection(...args) }
  const refused = await buildApp(t, { ...options(closed.port), agent })
  await t.rejects(refused.pusher.trigger('chat', 'e', {}), { code: 'FST_PUSHER_API_UNREACHABLE', message: /ECONNREFUSED/ })
  t.equal(connects, 3, 'one attempt and 2 retries (the default)')

  connects = 0
  const none = await buildApp(t, { ...options(closed.port), agent, retries: 0 })
  await t.rejects(none.pusher.trigger('chat', 'e', {}), { code: 'FST_PUSHER_API_UNREACHABLE' })
  t.equal(connects, 1, 'retries: 0')

  const failing = await fakeApi(t, json(503, { error: 'busy' }))
  const once = await buildApp(t, options(failing.port))
  await t.rejects(once.pusher.trigger('chat', 'e', {}), { code: 'FST_PUSHER_API_ERROR', statusCode: 503 })
  t.equal(failing.requests.length, 1, 'a 5xx is not retried by default')
  const unsafe = await buildApp(t, { ...options(failing.port), retryUnsafe: true })
  await t.rejects(unsafe.pusher.trigger('chat', 'e', {}), { code: 'FST_PUSHER_API_ERROR', statusCode: 503 })
  t.equal(failing.requests.length, 4, 'with retryUnsafe it is, twice more')
})

t.test('connections are kept alive: far fewer connections than requests', async (t) => {
  const api = await fakeApi(t, json(200, {}))
  const app = await buildApp(t, { ...options(api.port), batching: false })
  for (let i = 0; i < 50; i++) await app.pusher.trigger('chat', 'e', i)
  await Promise.all(Array.from({ length: 50 }, async (_, i) => await app.pusher.trigger('chat', 'e', i)))
  t.equal(api.requests.length, 100)
  t.ok(api.connections() <= 16, `${api.connections()} connections for 100 requests (at most 16 at once)`)
})

t.test('retries and retryUnsafe are checked at register time', async (t) => {
  const { default: fastifyPusher } = await import('../../index')
  for (const [given, message] of [
    [{ retries: -1 }, /"retries": must be a whole number from 0 to 10, got a number/],
    [{ retries: '2' }, /"retries".*got a string/],
    [{ retryUnsafe: 'yes' }, /"retryUnsafe": must be true or false, got a string/]
  ] as const) {
    const app = checkedFastify(t)
    t.teardown(async () => { await app.close() })
    await t.rejects(async () => { await app.register(fastifyPusher, { appId: '1', key: 'k', secret: 's', ...given } as any).ready() }, { code: 'FST_PUSHER_INVALID_OPTION', message })
  }
})

t.test('answers: a 200 that is not JSON reads as {}; a 200 { error } without a code is a 500', async (t) => {
  const empty = await fakeApi(t, (req, res) => { res.writeHead(200).end() })
  t.same(await (await buildApp(t, options(empty.port))).pusher.trigger('chat', 'e', 1), {})
  const info = await fakeApi(t, json(200, { channels: { chat: { subscription_count: 2 } } }))
  t.same(await (await buildApp(t, options(info.port))).pusher.trigger('chat', 'e', 1, { info: 'subscription_count' }), { channels: { chat: { subscription_count: 2 } } })
  const noCode = await fakeApi(t, json(200, { error: 'odd' }))
  await t.rejects((await buildApp(t, options(noCode.port))).pusher.trigger('chat', 'e', 1), { code: 'FST_PUSHER_API_ERROR', statusCode: 500, serverMessage: 'odd' })
})

t.test('timeout: 0 waits as long as the server takes; a deadline passed during backoff ends the retries', async (t) => {
  const slow = await fakeApi(t, (req, res) => { setTimeout(() => json(200, {})(req, res, ''), 300) })
  t.same(await (await buildApp(t, { ...options(slow.port), timeout: 0 })).pusher.trigger('chat', 'e', 1), {})
  const closed = await fakeApi(t, json(200, {}))
  closed.server.close()
  const app = await buildApp(t, { ...options(closed.port), timeout: 20, retries: 10 })
  const started = Date.now()
  await t.rejects(app.pusher.trigger('chat', 'e', {}), { code: 'FST_PUSHER_API_UNREACHABLE' }, 'the first retry (25 ms or more away) would end past the 20 ms deadline')
  t.ok(Date.now() - started < 1000)
})

t.test('TLS: the API over https, with a keep-alive agent of its own or the user\'s', async (t) => {
  const { readFileSync } = await import('node:fs')
  const { createServer: createHttpsServer, Agent: HttpsAgent } = await import('node:https')
  const fixture = (name: string): Buffer => readFileSync(new URL(`../fixtures/${name}`, `file://${__filename}`))
  const received: string[] = []
  const server = createHttpsServer({ key: fixture('localhost-key.pem'), cert: fixture('localhost-cert.pem') }, (req, res) => {
    received.push(String(req.url).split('?')[0])
    req.resume()
    req.on('end', () => { res.writeHead(200).end('{}') })
  })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  t.teardown(() => { server.closeAllConnections(); server.close() })
  const port = (server.address() as AddressInfo).port
  const agent = new HttpsAgent({ ca: fixture('localhost-cert.pem'), keepAlive: true })
  const app = await buildApp(t, { host: '127.0.0.1', port, useTLS: true, agent })
  t.same(await app.pusher.trigger('chat', 'e', 1), {})
  t.same(received, ['/apps/4/batch_events'])
  const own = await buildApp(t, { host: '127.0.0.1', port, useTLS: true })
  await t.rejects(own.pusher.trigger('chat', 'e', 1), { code: 'FST_PUSHER_API_UNREACHABLE', message: /self-signed|certificate/ }, 'its own https agent checks the certificate')
})
