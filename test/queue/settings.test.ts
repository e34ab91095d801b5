// Durable sending, what the queue's settings give: `limiter` (one rate for every worker), `keep` (how
// long an idempotency key holds, and how long failed jobs are listed), `concurrency: 1` (jobs sent one
// at a time, in the order stored), and a killed worker's job taken up by another (BullMQ's lock and
// stalled-job check). A real redis-server; a loopback API; a worker process killed with SIGKILL.
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { join } from 'node:path'
import t from 'tap'
import { Queue } from 'bullmq'
import { startWorker } from '../../lib/queue/start-worker'
import { LOCK_DURATION_MS, STALLED_INTERVAL_MS } from '../../lib/queue/worker'
import { buildApp } from '../helpers/app'
import { json, rawApi, type Handler } from '../helpers/fake-api'
import { FAST, queueSetup, sentNames } from '../helpers/queue'
import { startRedis } from '../helpers/redis'
import { until } from '../helpers/until'

const sleep = async (ms: number): Promise<void> => { await new Promise((resolve) => setTimeout(resolve, ms)) }

t.test('limiter: at most max API calls per duration, counted across every worker', async (t) => {
  const times: number[] = []
  const { app, redis, options } = await queueSetup(t, (req, res, body) => { times.push(Date.now()); json(200, {})(req, res, body) }, { worker: false })
  // Six jobs (one event each: one awaited call per turn), then two workers, each allowed 2 calls a second.
  for (let n = 0; n < 6; n++) await app.pusher.queue.trigger('chat', `e${n}`, n)
  const limited = { connection: redis.client(), ...FAST, limiter: { max: 2, duration: 1000 } }
  const workers = [await buildApp(t, { ...options, queue: limited }), await buildApp(t, { ...options, queue: { ...limited, connection: redis.client() } })]
  await Promise.all(workers.map(async (worker) => { await worker.ready() }))
  await until(() => times.length === 6, 'six calls', 20_000)
  // BullMQ's windows are fixed: 2 calls in the first second, 2 in the next, 2 in the third. The slack
  // (300 ms) is for the first call's own way from Redis to the API, never for a call too early.
  t.ok(times[2] - times[0] >= 700, `the 3rd call came ${times[2] - times[0]} ms after the 1st`)
  t.ok(times[4] - times[0] >= 1700, `the 5th call came ${times[4] - times[0]} ms after the 1st`)
  await until(async () => (await app.pusher.queue.counts()).active === 0, 'done')
  t.same(await app.pusher.queue.counts(), { waiting: 0, active: 0, delayed: 0, failed: 0, paused: 0 })
})

t.test('keep: an idempotency key holds once its event was sent, while the job is kept; failed jobs are listed as long as keep.failedMs', async (t) => {
  const handler: Handler = (req, res, body) => { json(body.includes('"bad') ? 400 : 200, {})(req, res, body) }
  const { app, api, redis } = await queueSetup(t, handler, { keep: { completedMs: 1000, failedMs: 1000 } })
  const inspect = new Queue('fastify-pusher', { connection: redis.client() })
  t.teardown(async () => { await inspect.close() })
  const jobOf = (id: string): string => id.replace(/-0$/, '')

  const first = await app.pusher.queue.trigger('chat', 'once', 1, { idempotencyKey: 'order-7' }) as { id: string }
  await until(async () => await inspect.getJobState(jobOf(first.id)) === 'completed', 'sent and completed')
  const again = await app.pusher.queue.trigger('chat', 'once', 2, { idempotencyKey: 'order-7' })
  t.same(again, first, 'the same key after the send: the first id')
  t.equal(await inspect.getJobState(jobOf(first.id)), 'completed', 'nothing stored again')
  t.same(await inspect.getJobCounts('waiting', 'delayed', 'active'), { waiting: 0, delayed: 0, active: 0 })
  const bad = await app.pusher.queue.trigger('chat', 'bad1', 1) as { id: string }
  await until(async () => (await app.pusher.queue.counts()).failed === 1, 'bad1 failed')

  // Past keep (1 s), BullMQ removes the old jobs when the next of their kind finishes.
  await sleep(1100)
  await app.pusher.queue.trigger('chat', 'later', 3)
  await app.pusher.queue.trigger('chat', 'bad2', 4)
  await until(() => sentNames(api.requests).includes('later'), 'a later job sent')
  await until(async () => (await app.pusher.queue.failed()).some((job) => job.event === 'bad2'), 'bad2 failed')
  await until(async () => await inspect.getJob(jobOf(first.id)) === undefined, 'the completed job removed')
  t.same((await app.pusher.queue.failed()).map((job) => job.event), ['bad2'], `bad1 (${bad.id}) no longer listed`)
  const stored = await app.pusher.queue.trigger('chat', 'once', 5, { idempotencyKey: 'order-7' })
  t.same(stored, first, 'the key is the same job id')
  await until(() => sentNames(api.requests).filter((name) => name === 'once').length === 2, 'the key stored and sent again, its job no longer kept')
})

t.test('concurrency: 1 with one worker: one API call at a time, jobs in the order stored', async (t) => {
  let inFlight = 0
  let most = 0
  const handler: Handler = (req, res, body) => {
    inFlight++
    most = Math.max(most, inFlight)
    setTimeout(() => { inFlight--; json(200, {})(req, res, body) }, 15)
  }
  const { app, api, redis, options } = await queueSetup(t, handler, { worker: false })
  const names = Array.from({ length: 12 }, (_, n) => `e${n}`)
  for (const name of names) await app.pusher.queue.trigger('chat', name, 1) // a job each
  const worker = await buildApp(t, { ...options, queue: { connection: redis.client(), ...FAST, concurrency: 1 } })
  await worker.ready()
  await until(() => sentNames(api.requests).length === 12, 'all sent')
  t.same(sentNames(api.requests), names, 'in the order stored')
  t.equal(most, 1, 'never two calls at once')
})

t.test('a worker killed (SIGKILL) during a call: its job is taken up by another worker, within 45 s (BullMQ\'s lock of 30 s, a stalled check every 15 s)', { timeout: 120_000 }, async (t) => {
  const redis = await startRedis(t)
  const api = await rawApi(t, (req, res, body) => { if (api.requests.length > 1) json(200, {})(req, res, body) }) // the first call never answered
  const options = { appId: '4', key: 'k', secret: 's', host: '127.0.0.1', port: api.port, useTLS: false, retries: 0 }
  const producer = await buildApp(t, { ...options, queue: { connection: redis.client(), worker: false } })
  const { id } = await producer.pusher.queue.trigger('chat', 'survivor', 1) as { id: string }
  const jobId = id.replace(/-0$/, '')

  const redisUrl = `redis://127.0.0.1:${redis.port}`
  const child = spawn(process.execPath, [join(__dirname, '..', 'fixtures', 'queue-worker.mjs'), JSON.stringify({ ...options, timeout: 0 })],
    { env: { ...process.env, REDIS_URL: redisUrl }, stdio: ['ignore', 'ignore', 'inherit'] })
  const exited = once(child, 'exit')
  t.teardown(() => { if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL') })
  await until(() => api.requests.length === 1, 'the worker process took the job and called the API', 20_000)
  const lockMs = await redis.client().pttl(`bull:fastify-pusher:${jobId}:lock`)
  child.kill('SIGKILL')
  await exited
  const killedAt = Date.now()
  t.ok(lockMs > 0 && lockMs <= 30_000, `the dead worker's lock lapses within 30 s (${lockMs} ms left)`)

  const worker = await startWorker({ ...options, queue: { connection: redis.client(), ...FAST } })
  t.teardown(async () => { await worker.close() })
  t.equal(STALLED_INTERVAL_MS, 15_000, 'a stalled check every 15 s')
  // The README's bound, lock + interval (45 s), with 15 s for a slow machine: never an early failure.
  await until(() => api.requests.length === 2, 'the job taken up again by the other worker', LOCK_DURATION_MS + STALLED_INTERVAL_MS + 15_000)
  t.comment(`taken up again ${((Date.now() - killedAt) / 1000).toFixed(1)} s after the kill (lock left ${lockMs} ms; stalled check every ${STALLED_INTERVAL_MS / 1000} s)`)
  t.same(sentNames(api.requests), ['survivor', 'survivor'])
  await until(async () => (await producer.pusher.queue.counts()).active === 0, 'done')
  t.same(await producer.pusher.queue.counts(), { waiting: 0, active: 0, delayed: 0, failed: 0, paused: 0 })
})
