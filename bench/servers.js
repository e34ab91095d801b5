'use strict'
// One contender of the benchmark, in its own process: `node bench/servers.js KIND`.
// It listens on 127.0.0.1 on a free port and tells its parent the port.
//   plugin       fastify-pusher, with ten channel rules (the one that matches declared last)
//   handwritten  what an app writes without the plugin: @fastify/formbody + the official
//                client's authorizeChannel / authenticateUser, a raw-body route + webhook().isValid(); no checks
//   constant     a bare Fastify route answering a constant of the same shape: the ceiling
//   redis        the plugin, its webhook dedupe store in Redis (BENCH_REDIS_PORT) instead of memory
//   fair         for webhooks, a hand-written route doing the plugin's work: the signature over the raw
//                body (the official client), the events validated with Ajv against the schema the plugin
//                validates with, and SHA-256 dedupe of the body in a Map (bounded as the plugin's store is)
//   fairEvents   the same, with the dedupe the plugin does: a mark per event (claimed while its handler
//                runs, done after), so that a retry runs only the events that failed; 409 while another
//                request holds a claim
//   otel         the plugin with fastify-pusher/otel on: spans (a BatchSpanProcessor) and metrics (a
//                PeriodicExportingMetricReader), the SDKs' real pipelines with exporters that drop what they get
const Fastify = require('fastify')
const formbody = require('@fastify/formbody')
const Pusher = require('pusher')
const fastifyPusher = require('fastify-pusher')
const { credentials } = require('./cases')

async function plugin (options = {}) {
  const app = Fastify()
  await app.register(fastifyPusher, { ...credentials, ...options })
  for (let i = 0; i < 9; i++) app.pusher.channel(`other${i}.{id}`, () => false)
  app.pusher.channel('orders.{orderId}', () => true)
  app.pusher.userAuth(() => ({ id: 'u1' }))
  // Per-event dispatch, with dedupe on (the default: in memory).
  app.pusher.webhooks.on('member_added', (request, event) => event.user_id)
  return app
}

async function redis () {
  const Redis = require('ioredis')
  const client = new Redis({ host: '127.0.0.1', port: Number(process.env.BENCH_REDIS_PORT) })
  const app = await plugin({ webhookDedupe: { store: fastifyPusher.redisDedupeStore(client) } })
  app.addHook('onClose', async () => { client.disconnect() })
  return app
}

async function otel () {
  const { openTelemetry } = require('fastify-pusher/otel')
  const { BasicTracerProvider, BatchSpanProcessor } = require('@opentelemetry/sdk-trace-base')
  const { MeterProvider, PeriodicExportingMetricReader } = require('@opentelemetry/sdk-metrics')
  const drop = { export: (items, done) => { done({ code: 0 }) }, forceFlush: async () => {}, shutdown: async () => {} }
  const tracerProvider = new BasicTracerProvider({ spanProcessors: [new BatchSpanProcessor(drop)] })
  const meterProvider = new MeterProvider({ readers: [new PeriodicExportingMetricReader({ exporter: drop, exportIntervalMillis: 1000 })] })
  const telemetry = openTelemetry({ tracerProvider, meterProvider })
  const app = await plugin()
  app.addHook('onClose', async () => { telemetry.close(); await meterProvider.shutdown(); await tracerProvider.shutdown() })
  return app
}

const handle = (event) => event.user_id

/**
 * A hand-written webhook route doing the plugin's work: the signature over the raw body (the official
 * client), the events validated with Ajv against the schema the plugin validates with, the SHA-256 of the
 * body; then `dedupe(id, events, reply, now)` runs the events once.
 */
async function sameWorkByHand (dedupe) {
  const { createHash } = require('node:crypto')
  const Ajv = require('ajv')
  const { WIRE_PAYLOAD } = require('../dist/lib/schemas/webhooks')
  const app = Fastify()
  const client = new Pusher(credentials)
  const validate = new Ajv().compile(WIRE_PAYLOAD)
  await app.register(async (scope) => {
    scope.addContentTypeParser('application/json', { parseAs: 'buffer' }, (request, body, next) => { next(null, body) })
    scope.post('/webhook', async (request, reply) => {
      const webhook = client.webhook({ headers: request.headers, rawBody: request.body.toString('utf8') })
      if (!webhook.isValid()) return await reply.code(401).send({ ok: false })
      const payload = webhook.getData()
      if (!validate(payload)) return await reply.code(400).send({ ok: false })
      const id = createHash('sha256').update(request.body).digest('base64url')
      return await dedupe(id, payload.events, reply, Date.now())
    })
  })
  return app
}

const [TTL_MS, LOCK_MS, MAX_MARKS] = [600_000, 60_000, 100_000]

/** One mark per delivery: SHA-256 of the body -> when it expires. */
async function fair () {
  const done = new Map()
  return await sameWorkByHand(async (id, events, reply, now) => {
    if ((done.get(id) ?? 0) > now) return { ok: true }
    for (const event of events) handle(event)
    done.set(id, now + TTL_MS)
    if (done.size > MAX_MARKS) done.delete(done.keys().next().value)
    return { ok: true }
  })
}

/**
 * A mark per event, as the plugin's store behaves: SHA-256 of the body -> one `{ done, expires }` per
 * event, claimed while its handler runs; a retry skips the events done, and waits (409) while another
 * request holds a claim. Bounded by the number of marks, oldest delivery first.
 */
async function fairEvents () {
  const marks = new Map()
  let count = 0
  return await sameWorkByHand(async (id, events, reply, now) => {
    let delivery = marks.get(id)
    if (delivery === undefined) {
      delivery = events.map(() => ({ done: false, expires: 0 }))
      marks.set(id, delivery)
      count += delivery.length
    }
    if (delivery.some((mark) => !mark.done && mark.expires > now)) return await reply.code(409).send({ ok: false })
    const claimed = []
    for (let i = 0; i < delivery.length; i++) {
      if (delivery[i].done && delivery[i].expires > now) continue
      delivery[i] = { done: false, expires: now + LOCK_MS }
      claimed.push(i)
    }
    for (const i of claimed) {
      handle(events[i])
      delivery[i] = { done: true, expires: now + TTL_MS }
    }
    for (const [oldest, its] of marks) {
      if (count <= MAX_MARKS) break
      marks.delete(oldest)
      count -= its.length
    }
    return { ok: true }
  })
}

async function handwritten () {
  const app = Fastify()
  const client = new Pusher(credentials)
  await app.register(formbody)
  app.post('/auth', async (request) => {
    const { socket_id: socketId, channel_name: channel } = request.body
    return channel.startsWith('presence-')
      ? client.authorizeChannel(socketId, channel, { user_id: socketId })
      : client.authorizeChannel(socketId, channel)
  })
  app.post('/auth-batch', async (request) => {
    const answer = {}
    for (let i = 0; request.body[`channel_name[${i}]`] !== undefined; i++) {
      const name = request.body[`channel_name[${i}]`]
      answer[name] = { status: 200, data: client.authorizeChannel(request.body.socket_id, name) }
    }
    return answer
  })
  app.post('/user-auth', async (request) => client.authenticateUser(request.body.socket_id, { id: 'u1' }))
  await app.register(async (scope) => {
    scope.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => { done(null, body) })
    scope.post('/webhook', async (request, reply) => {
      const webhook = client.webhook({ headers: request.headers, rawBody: request.body })
      if (!webhook.isValid()) return await reply.code(401).send({ ok: false })
      for (const event of webhook.getEvents()) handle(event)
      return { ok: true }
    })
  })
  return app
}

async function constant () {
  const app = Fastify()
  const auth = { auth: `KEY:${'a'.repeat(64)}` }
  const presence = { ...auth, channel_data: '{"user_id":"1234.5678"}' }
  const batch = (n) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`private-orders.${i}`, { status: 200, data: auth }]))
  await app.register(formbody)
  app.post('/auth', async () => auth)
  app.post('/auth-presence', async () => presence)
  const [batch10, batch100] = [batch(10), batch(100)]
  const user = { ...auth, user_data: '{"id":"u1"}' }
  app.post('/auth-batch-10', async () => batch10)
  app.post('/auth-batch-100', async () => batch100)
  app.post('/user-auth', async () => user)
  app.post('/webhook', async () => ({ ok: true }))
  return app
}

const kinds = { plugin: () => plugin(), handwritten, constant, redis, otel, fair, fairEvents }

async function main () {
  const app = await kinds[process.argv[2]]()
  await app.listen({ host: '127.0.0.1', port: 0 })
  process.send({ port: app.server.address().port })
  process.on('disconnect', () => { app.close().then(() => process.exit(0)) })
}

main().catch((error) => { console.error(error); process.exit(1) })
