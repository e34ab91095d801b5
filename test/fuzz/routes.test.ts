// The fuzz suite: random requests against every route of the plugin, through inject.
// Bounded: FUZZ_RUNS cases per route (default 300; raise it, e.g. FUZZ_RUNS=20000, for a long run).
// Properties: never a 5xx unless a handler threw; never an unhandled rejection or uncaught
// exception; every error body is { statusCode, code, error, message } with an FST_ code; a
// handler runs only for a request that passed every check; Object.prototype never changes.
import { createHmac } from 'node:crypto'
import fc from 'fast-check'
import t, { type Test } from 'tap'
import type { FastifyInstance } from 'fastify'
import { signWebhook } from 'fastify-pusher/testing'
import { buildApp, KEY, SECRET } from '../helpers/app'

const RUNS = Number(process.env.FUZZ_RUNS ?? 300)
const ROUTES = ['/pusher/auth', '/pusher/user-auth', '/pusher/events', '/pusher/events/presence', '/pusher/events/channel_existence', '/pusher/events/client', '/pusher/events/subscription_count', '/pusher/events/cache_miss']
const CONTENT_TYPES = [
  'application/x-www-form-urlencoded', 'application/json', 'application/json; charset=utf-8', 'text/plain', 'multipart/form-data; boundary=x', '',
  'application/x-www-form-urlencoded; charset=latin1', 'APPLICATION/JSON', 'application/json; charset=utf-16le', 'application/json; charset=iso-8859-1',
  'application/x-www-form-urlencoded; charset=utf-16', 'application/json;;charset="x"'
]
// Bodies in other encodings than the UTF-8 every route expects, and compressed-looking ones.
const CONTENT_ENCODINGS = [undefined, undefined, 'gzip', 'deflate', 'br', 'identity', 'x-unknown']

const key = fc.oneof(fc.constantFrom('socket_id', 'channel_name', 'channel_name[0]', 'channel_name[1]', 'channel_name[99]', '__proto__', 'constructor', 'prototype', 'time_ms', 'events', 'name', 'user_id', 'data'), fc.string({ maxLength: 12 }))
const scalar = fc.oneof(fc.string({ maxLength: 40 }), fc.constantFrom('1.1', '1234.5678', 'private-a', 'presence-a', 'private-encrypted-a', 'member_added', '', '1.20'), fc.integer(), fc.double(), fc.boolean(), fc.constant(null))
const json = fc.letrec((tie) => ({
  value: fc.oneof({ depthSize: 'small', withCrossShrink: true }, scalar, fc.array(tie('value'), { maxLength: 4 }), fc.dictionary(key, tie('value'), { maxKeys: 5 }))
})).value
const formBody = fc.array(fc.tuple(key, fc.oneof(fc.string({ maxLength: 20 }), fc.constantFrom('1.1', 'private-a', 'presence-a'))), { maxLength: 8 })
  .map((pairs) => pairs.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&'))
const body = fc.oneof(
  json.map((value) => JSON.stringify(value)),
  formBody,
  fc.string({ maxLength: 200 }),
  fc.uint8Array({ maxLength: 200 }).map((bytes) => Buffer.from(bytes).toString('latin1')),
  fc.constantFrom('', '{', '{"__proto__":{"x":1}}', '{"constructor":{"prototype":{"x":1}}}', '[]', 'null', '"x"', 'socket_id=1.1&socket_id=1.2&channel_name=private-a'),
  // Deeply nested, large, and many batch fields.
  fc.integer({ min: 1, max: 5000 }).map((depth) => '['.repeat(depth) + ']'.repeat(depth)),
  fc.integer({ min: 1, max: 5000 }).map((depth) => '{"a":'.repeat(depth) + '1' + '}'.repeat(depth)),
  // A valid delivery whose client_event data is nested deep (soketi sends it as the object itself), with or without a key secure-json-parse scans for.
  fc.tuple(fc.integer({ min: 1, max: 12_000 }), fc.boolean()).map(([depth, scanned]) =>
    `{"time_ms":1,"events":[{"name":"client_event","channel":"private-a","event":"client-x","data":${scanned ? '{"constructor":1,"b":' : ''}${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}${scanned ? '}' : ''}}]}`),
  // (Of a letter that is no hex digit: 64 of them in an echoed name would look like a signature in the logs.)
  fc.integer({ min: 1, max: 300_000 }).map((size) => `socket_id=1.1&channel_name=${'x'.repeat(size)}`),
  fc.integer({ min: 1, max: 400 }).map((n) => 'socket_id=1.1' + Array.from({ length: n }, (_, i) => `&channel_name[${i}]=private-${i % 150}`).join('')),
  fc.integer({ min: 1, max: 200 }).map((n) => JSON.stringify({ socket_id: '1.1', ...Object.fromEntries(Array.from({ length: n }, (_, i) => [`channel_name[${i}]`, `private-${i}`])) }))
)
/** The same bodies as bytes in another encoding, or bytes that are no text at all (invalid UTF-8). */
const bytes = fc.oneof(
  fc.tuple(body, fc.constantFrom<BufferEncoding>('utf16le', 'latin1', 'ucs2')).map(([text, encoding]) => Buffer.from(text, encoding)),
  body.map((text) => Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text)])), // a UTF-8 byte order mark
  body.map((text) => Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')])), // UTF-16 with its BOM
  fc.uint8Array({ maxLength: 300 }).map((array) => Buffer.from(array))
)
const header = fc.option(fc.oneof(fc.string({ maxLength: 70 }), fc.constantFrom(KEY, '1.1', 'f'.repeat(64))), { nil: undefined })

interface Answer { statusCode: number, body: string }
type Send = (method: string, url: string, headers: Record<string, string>, payload: string | Buffer) => Promise<Answer | undefined>

async function fuzz (t: Test, runs: number, send: (app: FastifyInstance) => Promise<Send>): Promise<void> {
  const app = await buildApp(t, { webhookDedupe: false })
  let handlerCalls = 0
  app.pusher.auth(() => { handlerCalls++; return true })
  app.pusher.userAuth((request, socketId) => { handlerCalls++; return { id: socketId } })
  app.pusher.webhooks.on('*', () => { handlerCalls++ })
  const request = await send(app)
  const prototypeBefore = Object.getOwnPropertyNames(Object.prototype).sort().join()
  const escaped: unknown[] = []
  const onEscaped = (error: unknown): void => { escaped.push(error) }
  process.on('unhandledRejection', onEscaped)
  process.on('uncaughtException', onEscaped)
  t.teardown(() => {
    process.off('unhandledRejection', onEscaped)
    process.off('uncaughtException', onEscaped)
  })

  await fc.assert(fc.asyncProperty(
    fc.constantFrom(...ROUTES), fc.constantFrom('POST', 'POST', 'POST', 'GET', 'PUT'), fc.constantFrom(...CONTENT_TYPES), fc.oneof({ weight: 4, arbitrary: body }, { weight: 1, arbitrary: bytes }),
    fc.constantFrom(...CONTENT_ENCODINGS), header, header, fc.boolean(), fc.boolean(),
    async (url, method, contentType, payload, contentEncoding, pusherKey, signature, signed, repeatKey) => {
      const headers: Record<string, string> = {}
      if (contentType !== '') headers['content-type'] = contentType
      if (contentEncoding !== undefined) headers['content-encoding'] = contentEncoding
      if (pusherKey !== undefined) headers['x-pusher-key'] = pusherKey
      if (signature !== undefined) headers['x-pusher-signature'] = signature
      if (signed) {
        // Signed as Pusher would sign these exact bytes (whatever their encoding).
        headers['x-pusher-key'] = KEY
        headers['x-pusher-signature'] = typeof payload === 'string' ? signWebhook({ key: KEY, secret: SECRET }, payload).headers['x-pusher-signature'] : createHmac('sha256', SECRET).update(payload).digest('hex')
      }
      if (repeatKey) headers['x-pusher-key'] = [KEY, KEY] as unknown as string // a repeated header
      const calls = handlerCalls
      const res = await request(method, url, headers, payload)
      if (res === undefined) return // a request the client itself refuses to send (e.g. a header it cannot encode)
      if (res.statusCode >= 500) throw new Error(`${res.statusCode} for ${method} ${url} ${JSON.stringify(headers)} ${JSON.stringify(payload)}: ${res.body}`)
      if (res.statusCode >= 400 && (method === 'POST' || res.statusCode !== 404)) {
        const error = JSON.parse(res.body)
        if (!/^FST_/.test(error.code) || typeof error.message !== 'string' || error.statusCode !== res.statusCode || typeof error.error !== 'string') {
          throw new Error(`error body ${res.body}`)
        }
        if (/Maximum call stack|RangeError|TypeError|ReferenceError|\n\s+at /.test(error.message)) throw new Error(`an internal message: ${res.body.slice(0, 300)}`)
        if (handlerCalls !== calls) throw new Error(`a handler ran for a refused request: ${res.statusCode} ${res.body}`)
      }
      if (Object.getOwnPropertyNames(Object.prototype).sort().join() !== prototypeBefore || ({} as any).x !== undefined) throw new Error('Object.prototype changed')
    }
  ), { numRuns: runs, seed: process.env.FUZZ_SEED === undefined ? undefined : Number(process.env.FUZZ_SEED) })
  await new Promise((resolve) => setImmediate(resolve)) // a rejection left unhandled is reported after the microtasks
  t.same(escaped, [], 'no unhandled rejection, no uncaught exception')
  t.pass(`${runs} random requests`)
}

t.test('through inject: no 5xx, FST_ error bodies, no handler for a refused request, no prototype pollution', async (t) => {
  await fuzz(t, RUNS * ROUTES.length, async (app) => async (method, url, headers, payload) => {
    const res = await app.inject({ method: method as 'POST', url, payload: method === 'GET' ? undefined : payload, headers })
    return { statusCode: res.statusCode, body: res.body }
  })
})

t.test('through real HTTP on 127.0.0.1: the same properties', async (t) => {
  await fuzz(t, Math.ceil(RUNS * ROUTES.length / 8), async (app) => {
    await app.listen({ host: '127.0.0.1', port: 0 })
    const base = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`
    return async (method, url, headers, payload) => {
      let res: Response
      try {
        res = await fetch(base + url, { method, headers, body: method === 'GET' ? undefined : payload })
      } catch (error) {
        if (error instanceof TypeError && !/fetch failed/.test(error.message)) return undefined
        throw error
      }
      return { statusCode: res.status, body: await res.text() }
    }
  })
})
