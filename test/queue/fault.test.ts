// The fault test of durable sending: 2 app instances enqueue while 2 worker processes drain the queue;
// one worker is killed with SIGKILL twice (and started again); soketi is stopped for 5 s and started
// again on the same port. Every event reaches a pusher-js client, duplicates stay within the bound,
// and the queue ends empty. FAULT_EVENTS sets the count (npm run load uses 5,000).
import { spawn, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { join } from 'node:path'
import t, { type Test } from 'tap'
import { buildApp } from '../helpers/app'
import { connectClient, nextEvent } from '../helpers/pusher-js'
import { startRedis } from '../helpers/redis'
import { startSoketi, type Soketi } from '../helpers/soketi'

const EVENTS = Number(process.env.FAULT_EVENTS ?? 600)
const CONCURRENCY = 16
const BATCH_SIZE = 10
const KILLS = 2
// BullMQ takes a killed worker's jobs up again within 45 s (lock 30 s, stalled check every 15 s).
t.setTimeout(240_000)

const sleep = async (ms: number): Promise<void> => { await new Promise((resolve) => setTimeout(resolve, ms)) }

/** Starts a worker process; resolves once it printed "ready". Killed by the test's end at the latest. */
async function startWorkerProcess (t: Test, redisUrl: string, soketi: Soketi): Promise<ChildProcess> {
  const child = spawn(process.execPath, [join(__dirname, '..', 'fixtures', 'queue-worker.mjs'), JSON.stringify({ ...soketi.pusherOptions, timeout: 2000 })], {
    env: { ...process.env, REDIS_URL: redisUrl },
    stdio: ['ignore', 'pipe', 'inherit']
  })
  t.teardown(async () => {
    if (child.exitCode !== null || child.signalCode !== null) return
    child.kill('SIGTERM')
    await once(child, 'exit')
  })
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (chunk) => { if (String(chunk).includes('ready')) resolve() })
    child.once('exit', (code) => { reject(new Error(`worker exited with ${code}`)) })
  })
  return child
}

t.test(`${EVENTS} events through 2 workers, one killed ${KILLS} times, and a 5 s soketi outage: all received, duplicates bounded`, async (t) => {
  const redis = await startRedis(t)
  const redisUrl = `redis://127.0.0.1:${redis.port}`
  let soketi = await startSoketi()
  t.teardown(async () => { await soketi.stop() })

  const received = new Map<number, number>()
  let client = await connectClient(t, soketi)
  const listen = async (): Promise<void> => {
    const channel = client.subscribe('fault')
    channel.bind('e', ({ n }: { n: number }) => { received.set(n, (received.get(n) ?? 0) + 1) })
    await nextEvent(channel, 'pusher:subscription_succeeded', 'the subscription')
  }
  await listen()

  const appOptions = { ...soketi.pusherOptions, queue: { connection: redis.client(), worker: false } }
  const apps = [await buildApp(t, appOptions, {}), await buildApp(t, { ...appOptions, queue: { connection: redis.client(), worker: false } })]
  const workers = [await startWorkerProcess(t, redisUrl, soketi), await startWorkerProcess(t, redisUrl, soketi)]

  // Enqueue in rounds of 20 per app, 10 ms apart; the faults happen along the way.
  let next = 0
  let round = 0
  const killAt = [Math.floor(EVENTS / 4), Math.floor(EVENTS / 2)]
  const outageAt = Math.floor((3 * EVENTS) / 4)
  let kills = 0
  while (next < EVENTS && round < 10_000) {
    round++
    for (const app of apps) {
      const ns = Array.from({ length: Math.min(20, EVENTS - next) }, () => next++)
      await Promise.all(ns.map(async (n) => await app.pusher.queue.trigger('fault', 'e', { n })))
    }
    if (kills < KILLS && next >= killAt[kills]) {
      workers[0].kill('SIGKILL')
      await once(workers[0], 'exit')
      kills++
      workers[0] = await startWorkerProcess(t, redisUrl, soketi)
    }
    if (next >= outageAt && next - 40 < outageAt) {
      // Killed, as in a crash: a server that shuts down gracefully may answer a trigger after its sockets are closed.
      await soketi.stop('SIGKILL')
      await sleep(5000)
      // Pusher keeps nothing for a client that is away: the queue is held while the receiver comes back.
      await apps[0].pusher.queue.pause()
      soketi = await startSoketi({ port: soketi.port })
      client.disconnect()
      client = await connectClient(t, soketi)
      await listen()
      await apps[0].pusher.queue.resume()
    }
    await sleep(10)
  }
  t.equal(next, EVENTS, 'every event was enqueued')
  t.equal(kills, KILLS)

  // Every event arrives and the queue empties: bounded by 200 s. A killed worker's active jobs stay active
  // until BullMQ's stalled check takes them up again (within 45 s); they may already have been sent, so
  // duplicates are counted only once the queue is empty, and 1 s later for the last deliveries to arrive.
  const started = Date.now()
  const drained = async (): Promise<boolean> => {
    const counts = await apps[0].pusher.queue.counts()
    return counts.waiting + counts.active + counts.delayed === 0
  }
  while ((received.size < EVENTS || !await drained()) && Date.now() - started < 200_000) await sleep(100)
  await sleep(1000)
  const missing = Array.from({ length: EVENTS }, (_, n) => n).filter((n) => !received.has(n))
  t.same(missing, [], 'every event received by the pusher-js client')
  const duplicates = [...received.values()].reduce((sum, count) => sum + count - 1, 0)
  const bound = KILLS * CONCURRENCY * BATCH_SIZE
  t.ok(duplicates <= bound, `${duplicates} duplicates, at most ${bound} (${KILLS} kills x concurrency ${CONCURRENCY} x batchSize ${BATCH_SIZE})`)
  t.match(await apps[0].pusher.queue.counts(), { waiting: 0, active: 0, delayed: 0, failed: 0, paused: 0 }, 'the queue ends empty')
  console.log(`# fault test: ${EVENTS} events, ${kills} worker kills, a 5 s soketi outage: all received in ${((Date.now() - started) / 1000).toFixed(1)} s after the last enqueue, ${duplicates} duplicates (bound ${bound})`)
})
