// What survives a Redis restart: with the append-only file (fsync always) every stored event, sent
// afterwards by a new instance; without persistence, nothing (the README says which setting loses what).
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t, { type Test } from 'tap'
import { buildApp } from '../helpers/app'
import { json, rawApi } from '../helpers/fake-api'
import { startRedis } from '../helpers/redis'

/** Enqueues 10 events with no worker, restarts Redis (SIGTERM, then again on the same port), and starts a worker. */
async function restartWith (t: Test, aofDir: string | undefined) {
  const api = await rawApi(t, json(200, {}))
  const options = { appId: '4', key: 'k', secret: 's', host: '127.0.0.1', port: api.port, useTLS: false }
  const first = await startRedis(t, { aofDir })
  const producer = await buildApp(t, { ...options, queue: { connection: first.client(), worker: false } })
  const { ids } = await producer.pusher.queue.triggerBatch(Array.from({ length: 10 }, (_, n) => ({ channel: 'chat', name: `e${n}`, data: n })))
  await producer.close()
  await first.stop()
  const second = await startRedis(t, { port: first.port, aofDir })
  const worker = await buildApp(t, { ...options, queue: { connection: second.client() } })
  await worker.ready()
  return { api, ids, worker }
}

t.test('with appendonly yes (fsync always), the stored events survive a Redis restart and are sent', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'fastify-pusher-aof-'))
  t.teardown(() => { rmSync(dir, { recursive: true, force: true }) })
  const { api, ids } = await restartWith(t, dir)
  t.equal(ids.length, 10)
  for (let i = 0; i < 250 && api.requests.length === 0; i++) await new Promise((resolve) => setTimeout(resolve, 20))
  t.same(api.requests.flatMap((body) => JSON.parse(body).batch.map((event: { name: string }) => event.name)), Array.from({ length: 10 }, (_, n) => `e${n}`))
})

t.test('without persistence, a Redis restart loses the queue', async (t) => {
  const { api, worker } = await restartWith(t, undefined)
  await new Promise((resolve) => setTimeout(resolve, 300))
  t.same(await worker.pusher.queue.counts(), { waiting: 0, active: 0, delayed: 0, failed: 0, paused: 0 })
  t.same(api.requests, [])
})
