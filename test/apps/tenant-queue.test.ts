// Tenants and the durable queue: one BullMQ queue for every tenant, each job carrying its tenant's app id
// and never a secret; a worker (in the app, or startWorker in a process of its own) finds the credentials
// by the app id. A tenant no longer known fails for good; a tenant's refused credentials (401) are looked
// up anew and its job waits, while the queue goes on for the others. A real redis-server; a loopback API.
import t, { type Test } from 'tap'
import { Queue } from 'bullmq'
import { startWorker } from '../../lib/queue/start-worker'
import fastifyPusher, { type FastifyPusherOptions } from '../../index'
import { captureLogs, checkedFastify } from '../helpers/app'
import { startRedis } from '../helpers/redis'
import { directory, tenantApi } from '../helpers/tenants'
import { until } from '../helpers/until'
import { FAST } from '../helpers/queue'

async function setup (t: Test, status: (appId: string) => number = () => 200, queue: object = {}, cacheMs?: number) {
  const redis = await startRedis(t)
  const api = await tenantApi(t, (appId) => ({ status: status(appId) }))
  const tenants = directory(api.port)
  const logs = captureLogs()
  const app = checkedFastify(t, { logger: logs.logger }, ['SUPERSECRET'])
  const options: FastifyPusherOptions = { tenants: { credentials: tenants.credentials, cacheMs }, routeOptions: { auth: false, userAuth: false }, retries: 0, queue: { connection: redis.client(), ...FAST, ...queue } }
  await app.register(fastifyPusher, options)
  await app.ready()
  const inspect = new Queue('fastify-pusher', { connection: redis.client() })
  t.teardown(async () => { await inspect.close() })
  return { redis, api, tenants, app, logs, inspect }
}

t.test('jobs carry their tenant\'s app id, never a secret; a worker of its own sends each with its tenant\'s credentials', async (t) => {
  const { redis, api, tenants, app, inspect } = await setup(t, () => 200, { worker: false })
  const one = await app.pusher.forApp('1')
  const two = await app.pusher.forApp('key-2')
  await Promise.all([one.queue.trigger('chat', 'a', 1), one.queue.trigger('chat', 'b', 2), two.queue.trigger('chat', 'c', 3), two.queue.sendToUser('ann', 'd', 4)])
  const first = await one.queue.trigger('news', 'e', 5, { idempotencyKey: 'k' })
  const other = await two.queue.trigger('news', 'e', 5, { idempotencyKey: 'k' })
  t.not((first as { id: string }).id, (other as { id: string }).id, 'an idempotency key is a tenant\'s own')
  t.same(await one.queue.trigger('news', 'e', 5, { idempotencyKey: 'k' }), first)
  const jobs = await inspect.getWaiting(0, -1)
  t.same(jobs.map((job) => job.data.appId).sort(), ['1', '1', '2', '2', '2'], 'one turn: a job per tenant, and keyed and user events on their own')
  t.notOk(jobs.some((job) => /SUPERSECRET|key-/.test(JSON.stringify(job.data))), 'no secret, no key')
  t.same(api.calls, [], 'nothing sent without a worker')

  const worker = await startWorker({ tenants: { credentials: tenants.credentials }, queue: { connection: redis.client(), ...FAST }, retries: 0 })
  t.teardown(async () => { await worker.close() })
  await until(() => api.calls.length === 5, 'five API calls')
  const byApp = (appId: string): unknown[] => api.calls.filter((call) => call.appId === appId).map((call) => [call.authKey, call.path])
  t.same(byApp('1'), [['key-1', '/apps/1/batch_events'], ['key-1', '/apps/1/batch_events']])
  t.same(byApp('2').map(String).sort(), ['key-2,/apps/2/batch_events', 'key-2,/apps/2/batch_events', 'key-2,/apps/2/events'], 'tenant 2: its batch, its keyed event, its user event')
  t.same(tenants.lookups.filter((lookup) => lookup.appId === '1').length, 2, 'the worker looked tenant 1 up by its app id')
})

t.test('the worker in the app: a tenant no longer known fails for good, a job of several events whole (not split)', async (t) => {
  // cacheMs 0: every job's credentials are looked up (a tenant removed is unknown at once).
  const { api, tenants, app } = await setup(t, () => 200, {}, 0)
  const three = await app.pusher.forApp('3')
  await three.queue.triggerBatch([{ channel: 'chat', name: 'gone', data: 1 }, { channel: 'news', name: 'gone-too', data: 2 }])
  delete tenants.apps['3'] // at once: the worker takes the job up after Redis has answered it, later
  const shared = (await app.pusher.forApp('1')).queue // the queue every tenant shares
  await until(async () => (await shared.failed()).length === 2, 'tenant 3\'s events failed')
  t.match(await shared.failed(), [{ event: 'gone', code: 'FST_PUSHER_UNKNOWN_APP', attempts: 1 }, { event: 'gone-too', code: 'FST_PUSHER_UNKNOWN_APP', attempts: 1 }])
  t.match(await shared.counts(), { failed: 1, waiting: 0, delayed: 0 }, 'one job failed whole: no job per event')
  await t.rejects(three.queue.counts(), { code: 'FST_PUSHER_UNKNOWN_APP' }, 'a sender of a tenant now unknown says so')
  t.same(api.calls, [])
})

for (const refusal of [401, 403]) {
  t.test(`a tenant whose credentials are refused (${refusal}): its job waits, its credentials are looked up anew, the queue goes on`, async (t) => {
    let refusing = true
    const { api, tenants, app, logs } = await setup(t, (appId) => appId === '1' && refusing ? refusal : 200)
    const one = await app.pusher.forApp('1')
    await one.queue.trigger('chat', 'refused', 2)
    await until(() => api.calls.filter((call) => call.appId === '1').length >= 2, 'tenant 1 refused twice')
    t.ok(tenants.lookups.filter((lookup) => lookup.appId === '1').length >= 2, 'tenant 1\'s credentials looked up anew (cacheMs is a minute)')
    const two = await app.pusher.forApp('2')
    await two.queue.trigger('chat', 'goes-on', 3)
    await until(() => api.calls.some((call) => call.appId === '2'), 'tenant 2 sent while tenant 1 waits')
    t.match(await two.queue.counts(), { paused: 0 }, 'the queue is not paused')
    t.equal(logs.lines.filter((line) => line.level === 50 && line.appId === '1' && /refused a tenant's credentials/.test(line.msg)).length, 1, 'logged once, with the app id, though refused again')
    refusing = false
    await until(async () => { const counts = await two.queue.counts(); return counts.delayed + counts.active + counts.waiting === 0 }, 'tenant 1\'s job sent')
    t.equal(api.calls.filter((call) => call.appId === '1').at(-1)?.body.batch[0].name, 'refused')
    t.equal((await two.queue.counts()).failed, 0)
  })
}

t.test('a worker of its own: a tenant\'s job split on a 413 keeps its app id; max 1 lets tenants go; close() ends past closeTimeout', async (t) => {
  const redis = await startRedis(t)
  let hang = false
  let refusedOnce = false
  const api = await tenantApi(t, (appId, body) => {
    if (hang) return { delayMs: 30_000 }
    if (appId === '2' && !refusedOnce) { refusedOnce = true; return { status: 401 } } // looked up anew, then sent
    return { status: JSON.stringify(body).includes('"bad"') ? 413 : 200 }
  })
  const tenants = directory(api.port)
  const app = checkedFastify(t, {}, ['SUPERSECRET'])
  await app.register(fastifyPusher, { tenants: { credentials: tenants.credentials }, routeOptions: { auth: false, userAuth: false }, queue: { connection: redis.client(), worker: false } })
  const [one, two] = [await app.pusher.forApp('1'), await app.pusher.forApp('2')]
  await one.queue.triggerBatch([{ channel: 'a', name: 'good', data: 1 }, { channel: 'a', name: 'bad', data: 2 }])
  await two.queue.trigger('chat', 'two', 3)
  const three = await app.pusher.forApp('3')
  await three.queue.trigger('chat', 'gone', 5)
  delete tenants.apps['3'] // the worker's own cache has never held it
  const warnings: string[] = []
  const logger = { debug: () => {}, info: () => {}, warn: (_object: object, message: string) => { warnings.push(message) }, error: () => {} }
  const worker = await startWorker({ tenants: { credentials: tenants.credentials, max: 1 }, queue: { connection: redis.client(), ...FAST }, retries: 0, closeTimeout: 200, logger })
  let closed = false
  t.teardown(async () => { if (!closed) await worker.close() })
  await until(async () => (await one.queue.counts()).failed === 2 && api.calls.some((call) => call.appId === '2') && api.calls.filter((call) => call.appId === '1').length === 3, 'the bad event and tenant 3\'s failed, the good one sent alone, tenant 2 sent')
  t.same(api.calls.filter((call) => call.appId === '1').map((call) => call.body.batch.map((event: { name: string }) => event.name).join()).sort(), ['bad', 'good', 'good,bad'], 'split: each event alone, still tenant 1\'s')
  t.same((await one.queue.failed()).map(({ event, code }) => `${event} ${code}`).sort(), ['bad FST_PUSHER_API_ERROR', 'gone FST_PUSHER_UNKNOWN_APP'])
  // Keep-alive pools close only when let go (or on close()): with max 1, two tenants in turn close one.
  await until(() => api.closed.length > 0, 'max 1: a tenant let go, its pool closed, before close()')
  t.ok(api.closed.every((appId) => appId === '1' || appId === '2'), `pools closed: ${api.closed.join()}`)

  await until(() => api.calls.filter((call) => call.appId === '2').length === 2, 'tenant 2 refused once (401), then sent')
  hang = true
  await two.queue.trigger('chat', 'hangs', 4)
  await until(() => api.calls.some((call) => call.body?.batch?.[0].name === 'hangs'), 'the hanging call is under way')
  await worker.close()
  closed = true
  t.match(warnings, [/cut off 1 API call/], 'close() cut the call off past closeTimeout, and said so')
})

t.test('a queue shared by a single app and tenants: each kind of worker refuses the other\'s jobs for good', async (t) => {
  const redis = await startRedis(t)
  const api = await tenantApi(t)
  const tenants = directory(api.port)
  const queue = { connection: redis.client(), name: 'mixed', worker: false, ...FAST }
  const multi = checkedFastify(t, {}, ['SUPERSECRET'])
  await multi.register(fastifyPusher, { tenants: { credentials: tenants.credentials }, routeOptions: { auth: false, userAuth: false }, queue })
  const single = checkedFastify(t, {}, ['SUPERSECRET'])
  await single.register(fastifyPusher, { appId: '4', key: 'key-4', secret: 'SUPERSECRET-4', host: '127.0.0.1', port: api.port, useTLS: false, queue })
  await (await multi.pusher.forApp('1')).queue.trigger('chat', 'tenant-job', 1)
  await single.pusher.queue.trigger('chat', 'single-job', 2)
  const oneApp = await startWorker({ appId: '4', key: 'key-4', secret: 'SUPERSECRET-4', host: '127.0.0.1', port: api.port, useTLS: false, queue: { ...queue, worker: true } })
  await until(async () => (await single.pusher.queue.counts()).failed === 1 && api.calls.length === 1, 'one sent, one failed')
  await oneApp.close()
  t.same(api.calls.map((call) => call.appId), ['4'], 'the single app\'s own job, sent')
  t.match(await single.pusher.queue.failed(), [{ event: 'tenant-job', code: 'FST_PUSHER_UNKNOWN_APP' }], 'a tenant\'s job never goes out with another app\'s credentials')
  await single.pusher.queue.trigger('chat', 'single-job-2', 3)
  const ofTenants = await startWorker({ tenants: { credentials: tenants.credentials }, queue: { ...queue, worker: true } })
  t.teardown(async () => { await ofTenants.close() })
  await until(async () => (await single.pusher.queue.counts()).failed === 2, 'the single app\'s job failed at the tenants\' worker')
  t.same((await single.pusher.queue.failed()).map(({ event, code }) => `${event} ${code}`).sort(), ['single-job-2 FST_PUSHER_UNKNOWN_APP', 'tenant-job FST_PUSHER_UNKNOWN_APP'])
  t.equal(api.calls.length, 1)
})
