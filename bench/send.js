'use strict'
// The send benchmark (part of npm run bench): events received per second by a pusher-js
// client subscribed through soketi on 127.0.0.1, for app.pusher.trigger with 32 and 64
// concurrent awaiting callers, against the official client's trigger awaited the same
// way and against hand-written triggerBatch calls of 10, with as many callers (10x the events in
// flight) and with a tenth of them (about the plugin's events in flight: 3 callers against 32, 6
// against 64). Each sender is its own process; contenders take turns within each round; medians of
// the rounds are compared.
const { fork } = require('node:child_process')
const { join } = require('node:path')
const Pusher = require('pusher-js')
const { startSoketi } = require('../examples/soketi')

const ROUNDS = Number(process.env.BENCH_SEND_ROUNDS ?? 5)
const EVENTS = Number(process.env.BENCH_SEND_EVENTS ?? 20000)
const CONTENDERS = ['plugin', 'official', 'batch', 'batch-equal']
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]

/** Runs one sender; resolves to events received per second (every event must arrive). */
async function run (soketi, channel, contender, callers) {
  // batch-equal: hand-written triggerBatch of 10 with a tenth of the callers, so about as many events in flight.
  const [kind, concurrency] = contender === 'batch-equal' ? ['batch', Math.max(1, Math.round(callers / 10))] : [contender, callers]
  const worker = fork(join(__dirname, 'send-worker.js'), [kind, String(concurrency), String(EVENTS), JSON.stringify(soketi.pusherOptions)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], execArgv: profileArgs(kind) })
  await new Promise((resolve) => worker.once('message', resolve))
  let received = 0
  const seen = new Set()
  const all = new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${kind}: ${received} of ${EVENTS} events within 60 s`)), 60_000)
    const listener = ({ n }) => {
      received++
      seen.add(n)
      if (received === EVENTS) { clearTimeout(timer); channel.unbind('e', listener); resolve() }
    }
    channel.bind('e', listener)
  })
  const started = process.hrtime.bigint()
  worker.send('go')
  const done = new Promise((resolve) => worker.on('message', (message) => { if (message.done) resolve(message) }))
  await all
  const seconds = Number(process.hrtime.bigint() - started) / 1e9
  const { latencies } = await done
  await new Promise((resolve) => worker.once('exit', resolve))
  if (seen.size !== EVENTS) throw new Error(`${kind}: ${seen.size} distinct events of ${EVENTS}`)
  lastLatencies = latencies
  return EVENTS / seconds
}

/** BENCH_PROFILE=DIR: each queue or enqueue sender writes a V8 CPU profile there (open it in Chrome's DevTools). */
const profileArgs = (kind) => process.env.BENCH_PROFILE !== undefined && (kind === 'queue' || kind === 'enqueue')
  ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE}`]
  : []

/** Storing alone (no worker anywhere, nothing sent): `callers` awaiting callers of queue.trigger; their latencies. */
async function enqueueOnly (soketi, callers) {
  const worker = fork(join(__dirname, 'send-worker.js'), ['enqueue', String(callers), String(EVENTS), JSON.stringify(soketi.pusherOptions)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], execArgv: profileArgs('enqueue') })
  await new Promise((resolve) => worker.once('message', resolve))
  const done = new Promise((resolve) => worker.on('message', (message) => { if (message.done) resolve(message) }))
  const started = process.hrtime.bigint()
  worker.send('go')
  const { latencies } = await done
  const seconds = Number(process.hrtime.bigint() - started) / 1e9
  await new Promise((resolve) => worker.once('exit', resolve))
  return { latencies, rate: EVENTS / seconds }
}

/** The enqueue latencies of the last run (the queue contender's). */
let lastLatencies = []
const percentile = (xs, p) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))]

async function benchSend () {
  const soketi = await startSoketi()
  const client = new Pusher(soketi.key, { cluster: 'local', wsHost: soketi.host, wsPort: soketi.port, forceTLS: false, enabledTransports: ['ws'], disableStats: true })
  try {
    const channel = client.subscribe('bench')
    await new Promise((resolve) => channel.bind('pusher:subscription_succeeded', resolve))
    console.log(`\nsend: events received per second by a pusher-js client through soketi 1.6.1, ${EVENTS} events per run, ${ROUNDS} rounds`)
    for (const concurrency of [32, 64]) {
      const rates = Object.fromEntries(CONTENDERS.map((kind) => [kind, []]))
      for (let round = 0; round < ROUNDS; round++) {
        for (let i = 0; i < CONTENDERS.length; i++) {
          const kind = CONTENDERS[(i + round) % CONTENDERS.length]
          rates[kind].push(await run(soketi, channel, kind, concurrency))
        }
      }
      const [plugin, official, batch, batchEqual] = CONTENDERS.map((kind) => median(rates[kind]))
      const equalCallers = Math.max(1, Math.round(concurrency / 10))
      console.log(`${String(concurrency).padStart(2)} callers   app.pusher.trigger ${plugin.toFixed(0).padStart(6)} ev/s   official trigger ${official.toFixed(0).padStart(6)} ev/s   hand-written triggerBatch of 10 ${batch.toFixed(0).padStart(6)} ev/s   plugin/official ${(plugin / official).toFixed(1)}x   plugin/triggerBatch ${(plugin / batch).toFixed(2)}x   (ceiling: triggerBatch/official ${(batch / official).toFixed(1)}x)`)
      console.log(`${' '.repeat(12)}equal events in flight: app.pusher.trigger with ${concurrency} callers (${concurrency} events) ${plugin.toFixed(0).padStart(6)} ev/s   triggerBatch of 10 with ${equalCallers} callers (${equalCallers * 10} events) ${batchEqual.toFixed(0).padStart(6)} ev/s   plugin/triggerBatch ${(plugin / batchEqual).toFixed(2)}x`)
    }
    await benchQueue(soketi, channel)
  } finally {
    client.disconnect()
    await soketi.stop()
  }
}

/**
 * The durable queue against the direct path, through the same soketi to the same client, 64
 * awaiting callers: events received per second, and the enqueue latency (p50, p99) of queue.trigger.
 */
async function benchQueue (soketi, channel) {
  const { startRedis } = require('./redis')
  const redis = await startRedis()
  process.env.REDIS_URL = `redis://127.0.0.1:${redis.port}`
  try {
    const rates = { plugin: [], queue: [] }
    const p50s = []
    const p99s = []
    for (let round = 0; round < ROUNDS; round++) {
      for (const kind of round % 2 === 0 ? ['plugin', 'queue'] : ['queue', 'plugin']) {
        rates[kind].push(await run(soketi, channel, kind, 64))
        if (kind === 'queue') { p50s.push(percentile(lastLatencies, 0.5)); p99s.push(percentile(lastLatencies, 0.99)) }
      }
    }
    const [direct, queued] = [median(rates.plugin), median(rates.queue)]
    for (const callers of [1, 16, 64]) {
      const runs = []
      for (let round = 0; round < ROUNDS; round++) runs.push(await enqueueOnly(soketi, callers))
      const p = (q) => median(runs.map(({ latencies }) => percentile(latencies, q))).toFixed(2)
      console.log(`queue: enqueue alone (worker: false), ${String(callers).padStart(2)} callers   ${median(runs.map(({ rate }) => rate)).toFixed(0).padStart(6)} events stored/s   enqueue latency p50 ${p(0.5)} ms, p99 ${p(0.99)} ms`)
    }
    console.log(`queue: 64 callers   app.pusher.trigger ${direct.toFixed(0).padStart(6)} ev/s   app.pusher.queue.trigger (worker in the app, Redis on 127.0.0.1) ${queued.toFixed(0).padStart(6)} ev/s   queue/direct ${(queued / direct).toFixed(2)}x   enqueue latency p50 ${median(p50s).toFixed(2)} ms, p99 ${median(p99s).toFixed(2)} ms`)
  } finally {
    delete process.env.REDIS_URL
    await redis.stop()
  }
}

module.exports = { benchSend, benchQueue }
if (require.main === module) benchSend().catch((error) => { console.error(error); process.exit(1) })
