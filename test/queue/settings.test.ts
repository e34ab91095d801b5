// Durable sending, what the queue's settings give: `limiter` (one rate for every worker), `keep` (how
// long an idempotency key holds, and how long failed jobs are listed), `concurrency` (calls in flight;
// 1: one at a time, in the order stored). A real redis-server; a loopback API.
import t from 'tap'
import { Queue } from 'bullmq'
import { buildApp } from '../helpers/app'
import { json, type Handler } from '../helpers/fake-api'
import { FAST, queueSetup, sentNames } from '../helpers/queue'
import { until } from '../helpers/until'

const sleep = async (ms: number): Promise<void> => { await new Promise((resolve) => setTimeout(resolve, ms)) }

t.test('limiter: at most max jobs (API calls) taken up per duration, counted across every worker', async (t) => {
  const times: number[] = []
  const { app, redis, options } = await queueSetup(t, (req, res, body) => { times.push(Date.now()); json(200, {})(req, res, body) }, { worker: false })
  // Six jobs (one event each: one awaited call per turn), then two workers, each allowed 2 calls a second.
  for (let n = 0; n < 6; n++) await app.pusher.queue.trigger('chat', `e${n}`, n)
  const limited = { connection: redis.client(), ...FAST, limiter: { max: 2, duration: 1000 } }
  const workers = [await buildApp(t, { ...options, queue: limited }), await buildApp(t, { ...options, queue: { ...limited, connection: redis.client() } })]
  await Promise.all(workers.map(async (worker) => { await worker.ready() }))
  await until(() => times.length === 6, 'six calls', 20_000)
  await until(async () => (await app.pusher.queue.counts()).active === 0, 'done')
  t.same(await app.pusher.queue.counts(), { waiting: 0, active: 0, delayed: 0, failed: 0, paused: 0 })
  // BullMQ's windows are fixed: 2 jobs taken in the first second, 2 in the next, 2 in the third. Read
  // on when each job was taken (processedOn), not on when its call reached the API, which the way
  // from Redis to the API can shift either way; the slack (300 ms) is for the window's own start.
  const inspect = new Queue('fastify-pusher', { connection: redis.client() })
  t.teardown(async () => { await inspect.close() })
  const taken = (await inspect.getCompleted()).map((job) => job.processedOn ?? Number.NaN).sort((a, b) => a - b)
  t.equal(taken.length, 6, 'six jobs done')
  t.ok(taken[2] - taken[0] >= 700, `the 3rd job was taken ${taken[2] - taken[0]} ms after the 1st`)
  t.ok(taken[4] - taken[0] >= 1700, `the 5th job was taken ${taken[4] - taken[0]} ms after the 1st`)
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

/** An API that answers each call after `delayMs`, counting the calls in flight and the most at once. */
function slowApi (delayMs: number) {
  const calls = { inFlight: 0, most: 0 }
  const handler: Handler = (req, res, body) => {
    calls.inFlight++
    calls.most = Math.max(calls.most, calls.inFlight)
    setTimeout(() => { calls.inFlight--; json(200, {})(req, res, body) }, delayMs)
  }
  return { calls, handler }
}

/** A worker app with `concurrency`, started once the jobs are stored. */
async function startWorkerApp (t: Parameters<typeof queueSetup>[0], setup: Awaited<ReturnType<typeof queueSetup>>, concurrency: number): Promise<void> {
  const worker = await buildApp(t, { ...setup.options, queue: { connection: setup.redis.client(), ...FAST, concurrency } })
  await worker.ready()
}

t.test('concurrency: 1 with one worker: one API call at a time, jobs in the order stored', async (t) => {
  const { calls, handler } = slowApi(15)
  const setup = await queueSetup(t, handler, { worker: false })
  const names = Array.from({ length: 12 }, (_, n) => `e${n}`)
  for (const name of names) await setup.app.pusher.queue.trigger('chat', name, 1) // a job each
  await startWorkerApp(t, setup, 1)
  await until(() => sentNames(setup.api.requests).length === 12, 'all sent')
  t.same(sentNames(setup.api.requests), names, 'in the order stored')
  t.equal(calls.most, 1, 'never two calls at once')
})

t.test('concurrency: 3 with one worker: three API calls at once, never more', async (t) => {
  // Calls of 500 ms, so that a round's three are surely in flight together; timeout 5 s (the setup's is
  // 500 ms), so that none is cut off and retried while the API still counts it in flight.
  const { calls, handler } = slowApi(500)
  const setup = await queueSetup(t, handler, { worker: false }, { timeout: 5000 })
  await Promise.all(Array.from({ length: 9 }, async (_, n) => await setup.app.pusher.queue.sendToUser(`u${n}`, 'e', n))) // 9 jobs, in one turn
  await startWorkerApp(t, setup, 3)
  await until(() => setup.api.requests.length === 9 && calls.inFlight === 0, 'all sent')
  t.equal(calls.most, 3, 'three calls in flight at most, and three at some point')
})
