// Durable sending, enqueueing: checks before anything is stored, one addBulk per turn in jobs of at
// most batchSize events, ids, the X-Socket-ID stored, idempotency keys, Redis unavailable.
// A real redis-server on 127.0.0.1 (persistence off); the worker is off here (worker: false).
import t, { type Test } from 'tap'
import { once } from 'node:events'
import { createServer, type AddressInfo, type Socket } from 'node:net'
import { Queue } from 'bullmq'
import Redis, { type RedisOptions } from 'ioredis'
import { buildApp, captureLogs } from '../helpers/app'
import { startRedis } from '../helpers/redis'

async function setup (t: Test, options: object = {}, appOptions: object = {}) {
  const redis = await startRedis(t)
  const connection = redis.client()
  const app = await buildApp(t, { appId: '4', key: 'k', secret: 's', host: '127.0.0.1', port: 1, useTLS: false, queue: { connection, worker: false, ...options }, ...appOptions })
  const inspect = new Queue('fastify-pusher', { connection: redis.client() })
  t.teardown(async () => { await inspect.close() })
  return { redis, connection, app, inspect }
}

/** An ioredis client of a server that takes the connection and never answers. */
async function silentRedis (t: Test, options: RedisOptions): Promise<Redis> {
  const sockets = new Set<Socket>()
  const silent = createServer((socket) => { sockets.add(socket) })
  silent.listen(0, '127.0.0.1')
  await once(silent, 'listening')
  t.teardown(() => { for (const socket of sockets) socket.destroy(); silent.close() })
  const connection = new Redis({ host: '127.0.0.1', port: (silent.address() as AddressInfo).port, ...options })
  connection.on('error', () => {})
  t.teardown(() => { connection.disconnect() })
  return connection
}

t.test('checked and serialized like trigger: a bad event is a typed error and nothing is stored', async (t) => {
  const { app } = await setup(t)
  await t.rejects(app.pusher.queue.trigger('bad channel', 'e', 1), { code: 'FST_PUSHER_INVALID_EVENT', message: /is not a channel name/ })
  await t.rejects(app.pusher.queue.trigger('chat', '', 1), { code: 'FST_PUSHER_INVALID_EVENT' })
  await t.rejects(app.pusher.queue.trigger('chat', 'e', 'x'.repeat(11_000)), { code: 'FST_PUSHER_INVALID_EVENT', message: /over the limit/ })
  await t.rejects(app.pusher.queue.triggerBatch([{ channel: 'ok', name: 'e', data: 1 }, { channel: 'no way', name: 'e', data: 1 }]), { code: 'FST_PUSHER_INVALID_EVENT' })
  await t.rejects(app.pusher.queue.sendToUser('a b', 'e', 1), { code: 'FST_PUSHER_INVALID_EVENT' })
  await t.rejects(app.pusher.queue.trigger('chat', 'e', 1, { socket_id: 'nope' }), { code: 'FST_PUSHER_INVALID_EVENT', message: /socket_id/ })
  await t.rejects(app.pusher.queue.trigger('chat', 'e', 1, { idempotencyKey: '' }), { code: 'FST_PUSHER_INVALID_EVENT', message: /idempotencyKey/ })
  await t.rejects(app.pusher.queue.trigger(['a', 'b'], 'e', 1, { idempotencyKey: 5 as unknown as string }), { code: 'FST_PUSHER_INVALID_EVENT', message: /on 2 channels: idempotencyKey/ })
  t.same(await app.pusher.queue.counts(), { waiting: 0, active: 0, delayed: 0, failed: 0, paused: 0 })
})

t.test('one turn is one addBulk: 25 events in jobs of batchSize, ids in order, data serialized', async (t) => {
  const { app, inspect } = await setup(t, {})
  // Every addBulk the plugin makes (it loads BullMQ with require, as here), and every single add.
  const { Queue: PluginQueue } = require('bullmq') as typeof import('bullmq')
  const { addBulk, add } = PluginQueue.prototype
  const stores: number[] = []
  PluginQueue.prototype.addBulk = async function (this: Queue, jobs) { stores.push(jobs.length); return await addBulk.call(this, jobs) }
  PluginQueue.prototype.add = async function (this: Queue, ...args: Parameters<Queue['add']>) { stores.push(-1); return await add.apply(this, args) }
  t.teardown(() => { Object.assign(PluginQueue.prototype, { addBulk, add }) })
  const results = await Promise.all(Array.from({ length: 25 }, async (_, n) => await app.pusher.queue.trigger('chat', 'e', { n })))
  t.same(stores, [3], 'one addBulk of 3 jobs for the turn, no other store')
  const ids = results.map((result) => (result as { id: string }).id)
  t.equal(new Set(ids).size, 25)
  const jobs = await inspect.getWaiting(0, -1)
  t.equal(jobs.length, 3, '25 events, batchSize 10: 3 jobs, 3 API calls')
  t.same(jobs.map((job) => job.data.events.length).sort(), [10, 10, 5])
  const byId = new Map<string, { data: string }>(jobs.flatMap((job) => job.data.events.map((event: { data: string }, i: number) => [`${job.id}-${i}`, event])))
  t.same(ids.map((id) => JSON.parse(byId.get(id)!.data).n), Array.from({ length: 25 }, (_, n) => n), 'each id names its own event')
  const turns = new Set(jobs.map((job) => job.timestamp))
  t.ok(turns.size <= 2, 'stored together')
  t.same(await app.pusher.queue.counts(), { waiting: 3, active: 0, delayed: 0, failed: 0, paused: 0 })

  const batch = await app.pusher.queue.triggerBatch([{ channel: 'a', name: 'x', data: 1 }, { channel: 'b', name: 'y', data: 2, socket_id: '1.2' }])
  t.equal(batch.ids.length, 2)
  const multi = await app.pusher.queue.trigger(['c', 'd'], 'z', 3)
  t.match(multi, { ids: [String, String] })
  app.post('/notice', async (request) => await request.pusher.queue.sendToUser('bob', 'notice', 1))
  t.match((await app.inject({ method: 'POST', url: '/notice' })).json(), { id: /^\d+-0$/ })
  const user = await app.pusher.queue.sendToUser('ann', 'notice', { text: 'hi' })
  const userJob = await inspect.getJob(user.id.replace(/-0$/, ''))
  t.match(userJob?.data, { kind: 'user', userId: 'ann', name: 'notice', data: '{"text":"hi"}' })
})

t.test('request.pusher.queue stores the X-Socket-ID with the event', async (t) => {
  const { app, inspect } = await setup(t)
  app.post('/ship', async (request) => await request.pusher.queue.trigger('orders', 'shipped', { id: 1 }))
  app.post('/batch', async (request) => await request.pusher.queue.triggerBatch([{ channel: 'a', name: 'x', data: 1 }, { channel: 'b', name: 'y', data: 2, socket_id: '7.7' }]))
  const res = await app.inject({ method: 'POST', url: '/ship', headers: { 'x-socket-id': '123.456' } })
  const { id } = res.json()
  const job = await inspect.getJob(id.replace(/-0$/, ''))
  t.same(job?.data.events, [{ channel: 'orders', name: 'shipped', data: '{"id":1}', socket_id: '123.456' }])
  const batch = await app.inject({ method: 'POST', url: '/batch', headers: { 'x-socket-id': '123.456' } })
  const batchJob = await inspect.getJob(batch.json().ids[0].replace(/-0$/, ''))
  t.same(batchJob?.data.events.map((event: { socket_id?: string }) => event.socket_id), ['123.456', '7.7'], 'an explicit socket_id wins')
})

t.test('an idempotency key stores once and resolves to the first id', async (t) => {
  const { app } = await setup(t)
  const first = await app.pusher.queue.trigger('chat', 'e', 1, { idempotencyKey: 'order-7-shipped' })
  const again = await app.pusher.queue.trigger('chat', 'e', 2, { idempotencyKey: 'order-7-shipped' })
  const other = await app.pusher.queue.trigger('chat', 'e', 3, { idempotencyKey: 'order-8-shipped' })
  t.same(again, first)
  await app.pusher.queue.pause()
  t.match(await app.pusher.queue.counts(), { waiting: 0, paused: 2 })
  await app.pusher.queue.resume()
  t.match(await app.pusher.queue.counts(), { waiting: 2, paused: 0 })
  t.not((other as { id: string }).id, (first as { id: string }).id)
})

t.test('Redis stopped: FST_PUSHER_QUEUE_UNAVAILABLE, at once, nothing kept in memory, and close() still ends', async (t) => {
  const { app, redis } = await setup(t, {}, { closeTimeout: 300 })
  await redis.stop()
  await t.rejects(app.pusher.queue.trigger('chat', 'e', 1), { code: 'FST_PUSHER_QUEUE_UNAVAILABLE', statusCode: 503, message: /Redis did not store event "e"/ })
})

t.test('Redis stopped, an app connection that would hold commands forever, no timeout: still a rejection, and nothing stored once Redis is back', async (t) => {
  const redis = await startRedis(t)
  // maxRetriesPerRequest null and timeout 0: an offline queue would hold the enqueue, unbounded, and store it later.
  const connection = new Redis({ host: '127.0.0.1', port: redis.port, maxRetriesPerRequest: null, retryStrategy: () => 50 })
  connection.on('error', () => {})
  t.teardown(() => { connection.disconnect() })
  const app = await buildApp(t, { appId: '4', key: 'k', secret: 's', host: '127.0.0.1', port: 1, useTLS: false, timeout: 0, closeTimeout: 300, queue: { connection, worker: false } })
  await app.pusher.queue.trigger('chat', 'before', 1)
  await redis.stop()
  const answer = await Promise.race([
    app.pusher.queue.trigger('chat', 'while-down', 2).then(() => 'stored', (error: { code: string }) => error.code),
    new Promise((resolve) => setTimeout(() => { resolve('held') }, 5000))
  ])
  t.equal(answer, 'FST_PUSHER_QUEUE_UNAVAILABLE', 'rejected, not held')
  const again = await startRedis(t, { port: redis.port }) // empty: persistence is off
  const inspect = new Queue('fastify-pusher', { connection: again.client() })
  t.teardown(async () => { await inspect.close() })
  let after: unknown
  for (let i = 0; i < 250 && after === undefined; i++) {
    after = await app.pusher.queue.trigger('chat', 'after', 3).catch(async () => { await new Promise((resolve) => setTimeout(resolve, 20)) })
  }
  t.ok(after, 'stored once the plugin\'s connection is back')
  t.same((await inspect.getWaiting()).flatMap((job) => job.data.events.map((event: { name: string }) => event.name)), ['after'], 'the rejected event was never stored later')
})

t.test('Redis that takes the connection and never answers: FST_PUSHER_QUEUE_UNAVAILABLE after timeout', async (t) => {
  const connection = await silentRedis(t, { maxRetriesPerRequest: 1 })
  const app = await buildApp(t, { appId: '4', key: 'k', secret: 's', host: '127.0.0.1', port: 1, useTLS: false, timeout: 200, closeTimeout: 200, queue: { connection, worker: false } })
  await t.rejects(app.pusher.queue.trigger('chat', 'e', 1), { code: 'FST_PUSHER_QUEUE_UNAVAILABLE', message: 'Not queued: Redis did not store event "e" within 200 ms' })
})

t.test('failed(): a job BullMQ failed for its own reason lists as FST_PUSHER_QUEUE_FAILED, never with its message', async (t) => {
  const { app, redis } = await setup(t)
  const { id } = await app.pusher.queue.trigger('chat', 'e', 1) as { id: string }
  const { Worker } = await import('bullmq')
  const connection = redis.client().duplicate({ maxRetriesPerRequest: null })
  const worker = new Worker('fastify-pusher', async () => { throw new Error('boom: something internal') }, { connection: connection as never })
  t.teardown(async () => { await worker.close(); connection.disconnect() })
  for (let i = 0; i < 250 && (await app.pusher.queue.counts()).failed === 0; i++) await new Promise((resolve) => setTimeout(resolve, 20))
  t.same((await app.pusher.queue.failed()).map(({ id, code, statusCode }) => ({ id, code, statusCode })), [{ id, code: 'FST_PUSHER_QUEUE_FAILED', statusCode: undefined }])
})

t.test('timeout: 0 puts no bound on storing', async (t) => {
  const redis = await startRedis(t)
  const app = await buildApp(t, { appId: '4', key: 'k', secret: 's', host: '127.0.0.1', port: 1, useTLS: false, timeout: 0, queue: { connection: redis.client(), worker: false } })
  t.match(await app.pusher.queue.trigger('chat', 'e', 1), { id: /^\d+-0$/ })
})

t.test('once close() has begun, enqueueing rejects with FST_PUSHER_CLOSED', async (t) => {
  const { app } = await setup(t)
  await app.close()
  await t.rejects(app.pusher.queue.trigger('chat', 'e', 1), { code: 'FST_PUSHER_CLOSED' })
})

t.test('a worker on a Redis that never answers: close() still ends, past closeTimeout, and says so', async (t) => {
  // No reconnecting once the test drops the sockets (BullMQ's own duplicates inherit it), so the test process can end.
  const connection = await silentRedis(t, { retryStrategy: () => null })
  const logs = captureLogs()
  const app = await buildApp(t, { appId: '4', key: 'k', secret: 's', host: '127.0.0.1', port: 1, useTLS: false, closeTimeout: 100, queue: { connection } }, { logger: logs.logger })
  await app.ready()
  await app.close()
  t.match(logs.lines.filter((line) => /closeTimeout/.test(line.msg ?? '')), [{ level: 40, cutOff: 0, closeTimeout: 100 }])
})

t.test('without the queue option, app.pusher.queue says what to set', async (t) => {
  const app = await buildApp(t, { appId: '4', key: 'k', secret: 's' })
  await t.rejects(app.pusher.queue.trigger('chat', 'e', 1), { code: 'FST_PUSHER_QUEUE_NOT_CONFIGURED' })
  await t.rejects(app.pusher.queue.counts(), { code: 'FST_PUSHER_QUEUE_NOT_CONFIGURED' })
})

t.test('request.pusher.afterReply goes through the queue when one is configured', async (t) => {
  const { app, inspect } = await setup(t)
  app.post('/ok', async (request) => {
    request.pusher.afterReply.trigger('orders', 'created', { id: 1 })
    return { ok: true }
  })
  app.post('/fails', async (request, reply) => {
    request.pusher.afterReply.trigger('orders', 'failed', { id: 2 })
    return await reply.code(422).send({ ok: false })
  })
  await app.inject({ method: 'POST', url: '/fails' })
  await app.inject({ method: 'POST', url: '/ok', headers: { 'x-socket-id': '5.6' } })
  for (let i = 0; i < 250 && (await app.pusher.queue.counts()).waiting === 0; i++) await new Promise((resolve) => setTimeout(resolve, 20))
  const jobs = await inspect.getWaiting(0, -1)
  t.same(jobs.map((job) => job.data.events), [[{ channel: 'orders', name: 'created', data: '{"id":1}', socket_id: '5.6' }]])
})
