// Durable sending: a worker killed (SIGKILL) during a call. Its job is taken up by another worker once
// BullMQ's lock (30 s) has lapsed, found by the stalled check (every 15 s): at most 45 s later. Killed
// twice, the job is still sent (maxStalledCount 100; BullMQ's default, 1, would fail it). A real
// redis-server; a loopback API that never answers the first two calls; worker processes.
import { spawn, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { join } from 'node:path'
import t, { type Test } from 'tap'
import { startWorker } from '../../lib/queue/start-worker'
import { LOCK_DURATION_MS, STALLED_INTERVAL_MS } from '../../lib/queue/worker'
import { buildApp } from '../helpers/app'
import { json, rawApi } from '../helpers/fake-api'
import { sentNames } from '../helpers/queue'
import { startRedis } from '../helpers/redis'
import { until } from '../helpers/until'

// Two take-ups of at most 45 s each, and their slack.
t.setTimeout(240_000)

/** A worker process (test/fixtures/queue-worker.mjs) with no bound on its calls; killed by the test's end at the latest. */
function workerProcess (t: Test, options: object, redisPort: number): { child: ChildProcess, exited: Promise<unknown> } {
  const child = spawn(process.execPath, [join(__dirname, '..', 'fixtures', 'queue-worker.mjs'), JSON.stringify({ ...options, timeout: 0 })],
    { env: { ...process.env, REDIS_URL: `redis://127.0.0.1:${redisPort}` }, stdio: ['ignore', 'ignore', 'inherit'] })
  const exited = once(child, 'exit')
  t.teardown(() => { if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL') })
  return { child, exited }
}

t.test('a worker killed during a call, twice: the job is taken up by another worker within 45 s each time, and sent', async (t) => {
  const redis = await startRedis(t)
  const api = await rawApi(t, (req, res, body) => { if (api.requests.length > 2) json(200, {})(req, res, body) }) // the first two calls never answered
  const options = { appId: '4', key: 'k', secret: 's', host: '127.0.0.1', port: api.port, useTLS: false, retries: 0 }
  const producer = await buildApp(t, { ...options, queue: { connection: redis.client(), worker: false } })
  const { id } = await producer.pusher.queue.trigger('chat', 'survivor', 1) as { id: string }
  const lockOf = async (): Promise<number> => await redis.client().pttl(`bull:fastify-pusher:${id.replace(/-0$/, '')}:lock`)
  t.equal(STALLED_INTERVAL_MS, 15_000, 'a stalled check every 15 s')
  // The README's bound, lock + interval (45 s), with 15 s for a slow machine: never an early failure.
  const takeUp = LOCK_DURATION_MS + STALLED_INTERVAL_MS + 15_000

  let killedAt = 0
  for (const [kill, calls] of [[1, 1], [2, 2]]) {
    const { child, exited } = workerProcess(t, options, redis.port)
    await until(() => api.requests.length === calls, `worker process ${kill} took the job and called the API`, kill === 1 ? 20_000 : takeUp)
    if (kill === 2) t.comment(`taken up by worker process 2 ${((Date.now() - killedAt) / 1000).toFixed(1)} s after the first kill`)
    const lockMs = await lockOf()
    t.ok(lockMs > 0 && lockMs <= 30_000, `worker ${kill}'s lock lapses within 30 s (${lockMs} ms left)`)
    child.kill('SIGKILL')
    await exited
    killedAt = Date.now()
  }
  const worker = await startWorker({ ...options, queue: { connection: redis.client(), backoff: { minMs: 10, maxMs: 40 } } })
  t.teardown(async () => { await worker.close() })
  await until(() => api.requests.length === 3, 'the job taken up a third time, by a worker that lives', takeUp)
  t.comment(`taken up again ${((Date.now() - killedAt) / 1000).toFixed(1)} s after the second kill`)
  t.same(sentNames(api.requests), ['survivor', 'survivor', 'survivor'])
  await until(async () => (await producer.pusher.queue.counts()).active === 0, 'done')
  t.same(await producer.pusher.queue.counts(), { waiting: 0, active: 0, delayed: 0, failed: 0, paused: 0 }, 'sent, not failed for stalling twice')
})
