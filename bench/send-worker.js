'use strict'
// One sender of the send benchmark, in its own process:
//   node bench/send-worker.js KIND CONCURRENCY EVENTS OPTIONS_JSON
// KIND: plugin (app.pusher.trigger), official (the official client's trigger),
// batch (hand-written triggerBatch calls of 10), queue (app.pusher.queue.trigger, its worker in
// the same process, REDIS_URL), enqueue (the same with no worker: storing alone). CONCURRENCY callers each await
// their trigger before the next; EVENTS in all, to channel "bench".
const Fastify = require('fastify')
const Pusher = require('pusher')
const fastifyPusher = require('fastify-pusher')

async function main () {
  const [kind, concurrency, events, json] = [process.argv[2], Number(process.argv[3]), Number(process.argv[4]), process.argv[5]]
  const options = JSON.parse(json)
  let send
  let close = async () => {}
  const latencies = []
  if (kind === 'plugin') {
    const app = Fastify()
    await app.register(fastifyPusher, options)
    await app.ready()
    send = async (n) => await app.pusher.trigger('bench', 'e', { n })
    close = async () => { await app.close() }
  } else if (kind === 'queue' || kind === 'enqueue') {
    // The durable queue, its worker in this app (queue) or in none (enqueue: storing alone, nothing
    // sent): each call's enqueue latency is kept.
    const Redis = require('ioredis')
    const redis = new Redis(process.env.REDIS_URL)
    const app = Fastify()
    const name = `bench-${process.pid}`
    await app.register(fastifyPusher, { ...options, queue: { connection: redis, name, worker: kind === 'queue' } })
    await app.ready()
    send = async (n) => {
      const started = process.hrtime.bigint()
      await app.pusher.queue.trigger('bench', 'e', { n })
      latencies.push(Number(process.hrtime.bigint() - started) / 1e6)
    }
    // Waits until the worker has sent everything, bounded (60 s); with no worker, empties the queue.
    close = async () => {
      if (kind === 'enqueue') {
        const stored = new (require('bullmq').Queue)(name, { connection: redis })
        await stored.obliterate({ force: true })
        await stored.close()
      } else {
        for (let i = 0; i < 600; i++) {
          const counts = await app.pusher.queue.counts()
          if (counts.waiting + counts.active + counts.delayed === 0) break
          await new Promise((resolve) => setTimeout(resolve, 100))
        }
      }
      await app.close()
      await redis.quit()
    }
  } else {
    const client = new Pusher(options)
    send = kind === 'official'
      ? async (n) => await client.trigger('bench', 'e', { n })
      : async (n) => await client.triggerBatch(Array.from({ length: 10 }, (_, i) => ({ channel: 'bench', name: 'e', data: { n: n + i } })))
  }
  const perCall = kind === 'batch' ? 10 : 1
  let next = 0
  process.send({ ready: true })
  await new Promise((resolve) => process.once('message', resolve))
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < events) {
      const n = next
      next += perCall
      await send(n)
    }
  }))
  await close()
  process.send({ done: true, latencies })
}

main().catch((error) => { console.error(error); process.exit(1) })
