import { createHash } from 'node:crypto'
import Fastify, { type FastifyInstance } from 'fastify'
import t, { type Test } from 'tap'
import nacl from 'tweetnacl'
import type { FastifyPusherOptions } from '../index'
import { buildApp, MASTER_KEY } from './helpers/app'

interface Received { url: string, body: any }

/** A stand-in for Pusher's HTTP API on loopback that records what the client sends. */
async function fakePusherApi (t: Test, { hang = false } = {}): Promise<{ received: Received[], options: FastifyPusherOptions }> {
  const api: FastifyInstance = Fastify()
  const received: Received[] = []
  api.post('/apps/:appId/*', async (request, reply) => {
    received.push({ url: request.url.split('?')[0], body: request.body })
    if (hang) return await new Promise(() => {})
    return {}
  })
  t.teardown(async () => { await api.close() })
  await api.listen({ host: '127.0.0.1', port: 0 })
  const { port } = api.server.address() as { port: number }
  return { received, options: { host: '127.0.0.1', port, useTLS: false, encryptionMasterKeyBase64: MASTER_KEY } }
}

/** The data of every event sent, batched or not, in order. */
const sentData = (received: Received[]): string[] =>
  received.flatMap((r) => r.body.batch !== undefined ? r.body.batch.map((event: any) => event.data) : [r.body.data])

/** What pusher-js does with an encrypted event's data. */
function decrypt (channel: string, data: string): string {
  const { nonce, ciphertext } = JSON.parse(data)
  const key = createHash('sha256').update(Buffer.concat([Buffer.from(channel), Buffer.from(MASTER_KEY, 'base64')])).digest()
  const plain = nacl.secretbox.open(Buffer.from(ciphertext, 'base64'), Buffer.from(nonce, 'base64'), key)
  return Buffer.from(plain!).toString('utf8')
}

t.test('trigger sends serialize(data), with the params', async (t) => {
  const api = await fakePusherApi(t)
  const app = await buildApp(t, api.options)
  const res = await app.pusher.trigger(['chat', 'news'], 'message', { text: 'hi' }, { socket_id: '1.42' })
  t.same(res, {}, 'resolves to the parsed answer')
  t.same(api.received, [{ url: '/apps/4/events', body: { name: 'message', data: '{"text":"hi"}', channels: ['chat', 'news'], socket_id: '1.42' } }])
})

t.test('a custom serialize decides the text, and encrypted channels receive the same data', async (t) => {
  const api = await fakePusherApi(t)
  const serialize = (data: unknown): string => JSON.stringify(data, (key, value) => typeof value === 'bigint' ? value.toString() : value)
  const app = await buildApp(t, { ...api.options, serialize })
  const data = { id: 10n, at: new Date(0) }
  await app.pusher.trigger('chat', 'e', data)
  await app.pusher.trigger('private-encrypted-chat', 'e', data)
  await app.pusher.trigger(['private-encrypted-chat'], 'e', data)
  const [plain, encrypted, encryptedList] = sentData(api.received)
  t.equal(plain, '{"id":"10","at":"1970-01-01T00:00:00.000Z"}')
  t.equal(decrypt('private-encrypted-chat', encrypted), plain, 'not encoded twice')
  t.equal(decrypt('private-encrypted-chat', encryptedList), plain)
})

t.test('text that is not JSON reaches encrypted and plain subscribers as the same value', async (t) => {
  const api = await fakePusherApi(t)
  const app = await buildApp(t, { ...api.options, serialize: String })
  await app.pusher.trigger('chat', 'e', 'hello')
  await app.pusher.trigger('private-encrypted-chat', 'e', 'hello')
  const [plain, encrypted] = sentData(api.received)
  t.equal(plain, 'hello', 'pusher-js gives the raw string when it is not JSON')
  t.equal(JSON.parse(decrypt('private-encrypted-chat', encrypted)), 'hello', 'pusher-js JSON-parses decrypted data')
})

t.test('triggerBatch serializes each event and leaves the caller\'s events alone', async (t) => {
  const api = await fakePusherApi(t)
  const app = await buildApp(t, api.options)
  const events = [
    { channel: 'chat', name: 'a', data: { n: 1 } },
    { channel: 'private-encrypted-x', name: 'b', data: { n: 2 }, socket_id: '1.2' }
  ]
  await app.pusher.triggerBatch(events)
  const [first, second] = api.received[0].body.batch
  t.equal(api.received[0].url, '/apps/4/batch_events')
  t.same(first, { channel: 'chat', name: 'a', data: '{"n":1}' })
  t.equal(decrypt('private-encrypted-x', second.data), '{"n":2}')
  t.equal(second.socket_id, '1.2')
  t.same(events[0].data, { n: 1 }, 'not mutated')
})

t.test('checks before sending reject, as promises, and nothing is sent', async (t) => {
  const api = await fakePusherApi(t)
  const app = await buildApp(t, api.options)
  await t.rejects(app.pusher.trigger('bad channel!', 'e', {}), { code: 'FST_PUSHER_INVALID_EVENT' })
  t.same(api.received, [])
})

t.test('the timeout aborts a request the server never answers', async (t) => {
  const api = await fakePusherApi(t, { hang: true })
  const app = await buildApp(t, { ...api.options, timeout: 100 })
  await t.rejects(app.pusher.trigger('chat', 'e', {}), { code: 'FST_PUSHER_API_TIMEOUT', message: 'The Pusher API did not answer event "e" on chat within 100 ms' })
  t.equal(api.received.length, 1, 'the request was sent')
})
