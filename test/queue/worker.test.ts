// Durable sending, the worker: each answer class (2xx done; 400/413 split, and only the bad event
// fails; 401/403 pause until resume(); 429 with Retry-After, 5xx and timeouts retried without using up
// attempts; maxAgeMs), failed() and retryFailed(), and close(). A real redis-server; a loopback API.
import t from 'tap'
import Pusher = require('pusher')
import { startWorker } from '../../lib/queue/start-worker'
import { buildApp } from '../helpers/app'
import { json, rawApi, type Handler } from '../helpers/fake-api'
import { startRedis } from '../helpers/redis'
import { until } from '../helpers/until'
import { FAST, queueSetup, sentNames } from '../helpers/queue'

t.test('2xx: each event sent once through batch_events, with its socket_id; the queue ends empty', async (t) => {
  const { api, app } = await queueSetup(t, json(200, {}))
  await Promise.all(Array.from({ length: 12 }, async (_, n) => await app.pusher.queue.trigger('chat', `e${n}`, { n }, n === 0 ? { socket_id: '1.2' } : {})))
  await until(() => sentNames(api.requests).length === 12, '12 events sent')
  t.same(sentNames(api.requests).sort(), Array.from({ length: 12 }, (_, n) => `e${n}`).sort())
  t.equal(api.requests.length, 2, '12 events in 2 calls (batchSize 10)')
  t.ok(api.requests.some((body) => JSON.parse(body).batch.some((event: { socket_id?: string }) => event.socket_id === '1.2')))
  await until(async () => (await app.pusher.queue.counts()).active === 0, 'done')
  t.same(await app.pusher.queue.counts(), { waiting: 0, active: 0, delayed: 0, failed: 0, paused: 0 })
  await app.pusher.queue.sendToUser('ann', 'notice', { text: 'hi' })
  await until(() => api.requests.some((body) => body.includes('"notice"')), 'the user event sent')
  t.match(JSON.parse(api.requests.find((body) => body.includes('"notice"'))!), { name: 'notice', data: '{"text":"hi"}' })
})

for (const status of [400, 413]) {
  t.test(`${status}: a job of several events is split, and only the bad event fails, for good`, async (t) => {
    const handler: Handler = (req, res, body) => {
      const names = (JSON.parse(body).batch ?? []).map((event: { name: string }) => event.name)
      json(names.includes('bad') ? status : 200, names.includes('bad') ? { error: 'refused' } : {})(req, res, body)
    }
    const { api, app } = await queueSetup(t, handler)
    const [, bad] = await Promise.all([app.pusher.queue.trigger('chat', 'good1', 1), app.pusher.queue.trigger('chat', 'bad', 2), app.pusher.queue.trigger('chat', 'good2', 3)])
    await until(async () => (await app.pusher.queue.counts()).failed === 1, 'one failed job')
    // The split parts run side by side: the bad one may fail before good2 is sent alone.
    await until(async () => { const counts = await app.pusher.queue.counts(); return counts.waiting + counts.active + counts.delayed === 0 }, 'settled')
    const failed = await app.pusher.queue.failed()
    t.match(failed, [{ id: (bad as { id: string }).id, channel: 'chat', event: 'bad', code: 'FST_PUSHER_API_ERROR', statusCode: status, attempts: 1, enqueuedAt: Number }])
    t.notOk('data' in failed[0], 'no event data')
    t.same(sentNames(api.requests).filter((name) => name !== 'bad').sort(), ['good1', 'good1', 'good2', 'good2'], 'sent once together (refused), then each alone')
    t.equal(sentNames(api.requests).filter((name) => name === 'bad').length, 2, 'the bad one: in the batch, then alone, never again')
  })
}

t.test('a keyed trigger to 12 channels: jobs of batchSize named by the key; a refused event fails alone, the other 11 are sent; the key again stores nothing', async (t) => {
  const accepted: string[] = []
  const handler: Handler = (req, res, body) => {
    const to = (JSON.parse(body).batch ?? []).map((event: { channel: string }) => event.channel)
    if (!to.includes('c-bad')) accepted.push(...to)
    json(to.includes('c-bad') ? 400 : 200, to.includes('c-bad') ? { error: 'refused' } : {})(req, res, body)
  }
  const { api, app } = await queueSetup(t, handler)
  const channels = [...Array.from({ length: 11 }, (_, n) => `c-${n}`), 'c-bad']
  const sentTo = (): string[] => accepted
  const first = await app.pusher.queue.trigger(channels, 'shipped', 1, { idempotencyKey: 'order-7' }) as { ids: string[] }
  t.equal(first.ids.length, 12)
  await until(async () => (await app.pusher.queue.counts()).failed === 1, 'the refused event failed')
  t.match(await app.pusher.queue.failed(), [{ id: first.ids[11], channel: 'c-bad', event: 'shipped', statusCode: 400 }])
  await until(() => channels.slice(0, 11).every((channel) => sentTo().includes(channel)), 'the other 11 sent')
  t.ok(api.requests.every((body) => JSON.parse(body).batch.length <= 10), 'no call of more than batchSize events')
  t.same(await app.pusher.queue.trigger(channels, 'shipped', 1, { idempotencyKey: 'order-7' }), first, 'the same key: the same ids')
  await until(async () => { const counts = await app.pusher.queue.counts(); return counts.waiting + counts.active + counts.delayed === 0 }, 'settled')
  t.same(accepted.sort(), channels.slice(0, 11).sort(), 'each good event accepted once')
})

t.test('a user event refused (404) fails for good, listed by user; one that waited past maxAgeMs expires when taken', async (t) => {
  const { app } = await queueSetup(t, json(404, { error: 'no such user' }))
  const { id } = await app.pusher.queue.sendToUser('ann', 'notice', 1)
  await until(async () => (await app.pusher.queue.counts()).failed === 1, 'failed')
  t.match(await app.pusher.queue.failed(), [{ id, user: 'ann', event: 'notice', code: 'FST_PUSHER_API_ERROR', statusCode: 404 }])

  const redis = await startRedis(t)
  const api = await rawApi(t, json(200, {}))
  const options = { appId: '4', key: 'k', secret: 's', host: '127.0.0.1', port: api.port, useTLS: false }
  const producer = await buildApp(t, { ...options, queue: { connection: redis.client(), worker: false, maxAgeMs: 50 } })
  const old = await producer.pusher.queue.trigger('chat', 'stale', 1) as { id: string }
  await new Promise((resolve) => setTimeout(resolve, 100))
  const worker = await buildApp(t, { ...options, queue: { connection: redis.client(), maxAgeMs: 50 } })
  await worker.ready()
  await until(async () => (await worker.pusher.queue.counts()).failed === 1, 'expired')
  t.match(await worker.pusher.queue.failed(), [{ id: old.id, code: 'FST_PUSHER_QUEUE_EXPIRED' }])
  t.same(api.requests, [], 'never sent')
})

for (const refused of [401, 403]) {
  t.test(`${refused}: the queue pauses, the error is logged once (again after a resume()), the jobs wait; resume() sends them`, async (t) => {
    let status = refused
    let accepted = 0
    const { api, app, logs } = await queueSetup(t, (req, res, body) => {
      setTimeout(() => { if (status === 200) accepted++; json(status, status === 200 ? {} : { error: 'Invalid key' })(req, res, body) }, 30)
    })
    const pausedLines = (): number => logs.lines.filter((line) => line.level === 50 && /queue is paused/.test(line.msg)).length
    const settled = async (): Promise<boolean> => { const c = await app.pusher.queue.counts(); return c.paused + c.delayed === 3 && c.active === 0 }
    // Three jobs (a user event is a job of its own) in one turn: taken up at once, refused together.
    await Promise.all(['ann', 'bob', 'cid'].map(async (user) => await app.pusher.queue.sendToUser(user, 'notice', 1)))
    await until(settled, 'paused')
    const refusals = api.requests.length
    t.ok(refusals >= 2, `${refusals} calls refused at once`)
    await new Promise((resolve) => setTimeout(resolve, 200))
    t.equal(api.requests.length, refusals, 'nothing more is tried while paused')
    t.equal(pausedLines(), 1, 'logged once')
    await app.pusher.queue.resume()
    await until(async () => api.requests.length > refusals && await settled(), 'refused again after resume()')
    t.equal(pausedLines(), 2, 'logged once more: resume() said the credentials were fixed')
    status = 200
    await app.pusher.queue.resume()
    await until(async () => { const c = await app.pusher.queue.counts(); return c.waiting + c.delayed + c.paused + c.active === 0 }, 'empty')
    t.equal(accepted, 3, 'all three sent after resume()')
    t.match(await app.pusher.queue.counts(), { failed: 0 })
  })
}

t.test('the worker in the app starts at ready(), not before; failed({ limit }) lists at most limit events', async (t) => {
  const redis = await startRedis(t)
  const api = await rawApi(t, json(400, { error: 'refused' }))
  const app = await buildApp(t, { appId: '4', key: 'k', secret: 's', host: '127.0.0.1', port: api.port, useTLS: false, retries: 0, queue: { connection: redis.client(), ...FAST } })
  await Promise.all(['ann', 'bob', 'cid'].map(async (user) => await app.pusher.queue.sendToUser(user, 'notice', 1)))
  await new Promise((resolve) => setTimeout(resolve, 300))
  t.equal(api.requests.length, 0, 'registered, not ready: no worker yet')
  await app.ready()
  await until(async () => (await app.pusher.queue.counts()).failed === 3, 'three failed once the worker started')
  t.equal((await app.pusher.queue.failed({ limit: 2 })).length, 2)
  t.equal((await app.pusher.queue.failed()).length, 3)
})

t.test('429 with Retry-After, 5xx and timeouts: retried until sent, no attempt used up', async (t) => {
  let calls = 0
  const handler: Handler = (req, res, body) => {
    calls++
    if (calls === 1) return res.writeHead(429, { 'retry-after': '0', 'content-type': 'application/json' }).end('{"error":"slow down"}')
    if (calls === 2) return json(503, { error: 'busy' })(req, res, body)
    if (calls === 3) return // no answer: the call times out (timeout 500)
    json(200, {})(req, res, body)
  }
  const { app } = await queueSetup(t, handler)
  await app.pusher.queue.trigger('chat', 'e', 1)
  await until(() => calls === 4, 'sent at the fourth call')
  await until(async () => (await app.pusher.queue.counts()).delayed + (await app.pusher.queue.counts()).active === 0, 'done')
  t.equal((await app.pusher.queue.counts()).failed, 0)
})

t.test('a 429 waits its Retry-After (1 s here), not the backoff (10 to 40 ms)', async (t) => {
  const times: number[] = []
  const handler: Handler = (req, res, body) => {
    times.push(Date.now())
    if (times.length === 1) return res.writeHead(429, { 'retry-after': '1', 'content-type': 'application/json' }).end('{"error":"slow down"}')
    json(200, {})(req, res, body)
  }
  const { app } = await queueSetup(t, handler)
  await app.pusher.queue.trigger('chat', 'e', 1)
  await until(() => times.length === 2, 'sent at the second call')
  // A lower bound, not a speed: the worker must not try again before the server said it may.
  t.ok(times[1] - times[0] >= 990, `the second call came ${times[1] - times[0]} ms after the 429`)
})

t.test('maxAgeMs: an event still unsent fails as expired; retryFailed() sends it once the API is back', async (t) => {
  let up = false
  const { api, app } = await queueSetup(t, (req, res, body) => json(up ? 200 : 503, up ? {} : { error: 'down' })(req, res, body), { maxAgeMs: 300 })
  const { id } = await app.pusher.queue.trigger('chat', 'late', 1) as { id: string }
  await until(async () => (await app.pusher.queue.counts()).failed === 1, 'expired')
  t.match(await app.pusher.queue.failed({ limit: 10 }), [{ id, event: 'late', code: 'FST_PUSHER_QUEUE_EXPIRED' }])
  up = true
  t.same(await app.pusher.queue.retryFailed(), { retried: 1 })
  await until(() => api.requests.length > 0 && JSON.parse(api.requests.at(-1)!).batch !== undefined && sentNames(api.requests.slice(-1)).includes('late'), 'sent after retryFailed')
  await until(async () => (await app.pusher.queue.counts()).failed === 0, 'no failed job left')
})

t.test('close() during a stream leaves the unsent events in Redis, and a new instance sends them', async (t) => {
  const redis = await startRedis(t)
  let open = false
  const api = await rawApi(t, (req, res, body) => { if (open) json(200, {})(req, res, body) })
  const options = { appId: '4', key: 'k', secret: 's', host: '127.0.0.1', port: api.port, useTLS: false, retries: 0, timeout: 300, closeTimeout: 200 }
  const first = await buildApp(t, { ...options, queue: { connection: redis.client(), ...FAST, concurrency: 1 } })
  await first.ready()
  await Promise.all(Array.from({ length: 30 }, async (_, n) => await first.pusher.queue.trigger('chat', `e${n}`, n)))
  await first.close()
  t.equal(new Set(sentNames(api.requests)).size <= 10, true, 'the first instance had at most one job (10 events) in flight: none answered')
  const { Queue } = await import('bullmq')
  const inspect = new Queue('fastify-pusher', { connection: redis.client() })
  t.teardown(async () => { await inspect.close() })
  const left = await inspect.getJobCounts('waiting', 'delayed', 'active', 'failed', 'completed')
  t.same(left, { waiting: left.waiting, delayed: left.delayed, active: 0, failed: 0, completed: 0 })
  t.equal(left.waiting + left.delayed, 3, 'all 3 jobs (30 events) are still in Redis')
  open = true
  const second = await buildApp(t, { ...options, queue: { connection: redis.client(), ...FAST } })
  await second.ready()
  await until(() => new Set(sentNames(api.requests)).size === 30, 'every event sent by the new instance')
  t.equal(new Set(sentNames(api.requests)).size, 30)
})

t.test('startWorker: a worker of its own for one app; its default logger writes JSON lines on stderr', async (t) => {
  const redis = await startRedis(t)
  await t.rejects(startWorker({ appId: '4', key: 'k', secret: 's' }), { code: 'FST_PUSHER_INVALID_OPTION', message: /"queue": startWorker needs it/ })
  let hang = false
  const api = await rawApi(t, (req, res, body) => { if (!hang) json(200, {})(req, res, body) })
  const app = await buildApp(t, { appId: '4', key: 'k', secret: 's', host: '127.0.0.1', port: api.port, useTLS: false, queue: { connection: redis.client(), worker: false } })
  await app.pusher.queue.trigger('chat', 'sent', 1)
  const written: string[] = []
  const write = process.stderr.write
  process.stderr.write = ((chunk: string) => { written.push(String(chunk)); return true }) as typeof process.stderr.write
  t.teardown(() => { process.stderr.write = write })
  const worker = await startWorker({ appId: '4', key: 'k', secret: 's', host: '127.0.0.1', port: api.port, useTLS: false, retries: 0, closeTimeout: 100, queue: { connection: redis.client(), ...FAST } })
  await until(() => api.requests.length === 1, 'sent by the worker')
  hang = true
  await app.pusher.queue.trigger('chat', 'hangs', 2)
  await until(() => api.requests.length === 2, 'a call under way')
  await worker.close()
  process.stderr.write = write
  const lines = written.map((text) => JSON.parse(text))
  t.match(lines, [{ level: 'warn', cutOff: 1, closeTimeout: 100, msg: /cut off 1 API call/ }])
  hang = false
  const client = new Pusher({ appId: '4', key: 'k', secret: 's', host: '127.0.0.1', port: String(api.port), useTLS: false })
  const withClient = await startWorker({ client, queue: { connection: redis.client(), ...FAST } })
  await until(() => api.requests.length === 3, 'the job cut off, sent again by a worker on a ready client')
  await withClient.close()
})
