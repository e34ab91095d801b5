// The queue option, checked at register time; bullmq, an optional peer dependency, loaded only when used.
import t from 'tap'
import Redis from 'ioredis'
import { buildApp } from '../helpers/app'
import { loadBullMQ } from '../../lib/queue/bullmq'
import { resolveQueueOptions } from '../../lib/config/queue-options'

const connection = new Redis({ lazyConnect: true })
t.teardown(() => { connection.disconnect() })

t.test('every field of queue is checked, and the message names it', async (t) => {
  for (const [queue, message] of [
    [null, /"queue\.": must be an object, got a null/],
    [{}, /"queue\.connection": must be an ioredis client/],
    [{ connection: {} }, /"queue\.connection"/],
    [{ connection, name: 'a b' }, /"queue\.name"/],
    [{ connection, worker: 'yes' }, /"queue\.worker": must be true or false/],
    [{ connection, concurrency: 0 }, /"queue\.concurrency": must be a whole number of at least 1/],
    [{ connection, maxAgeMs: 1.5 }, /"queue\.maxAgeMs"/],
    [{ connection, backoff: 5 }, /"queue\.backoff": must be an object/],
    [{ connection, backoff: { minMs: 100, maxMs: 10 } }, /"queue\.backoff": maxMs must be at least minMs/],
    [{ connection, limiter: { max: 10 } }, /"queue\.limiter": needs max and duration/],
    [{ connection, limiter: { max: 10, duration: -1 } }, /"queue\.limiter\.duration"/],
    [{ connection, keep: { completedMs: '1h' } }, /"queue\.keep\.completedMs".*got a string/],
    [{ connection, keep: { failedMs: -5 } }, /"queue\.keep\.failedMs"/],
    [{ connection, keep: 7 }, /"queue\.keep": must be an object/],
    [{ connection, backoff: { minMs: '1s' } }, /"queue\.backoff\.minMs".*got a string/],
    [{ connection, backoff: { maxMs: 0.5 } }, /"queue\.backoff\.maxMs"/],
    [{ connection, limiter: { max: 'ten', duration: 1000 } }, /"queue\.limiter\.max".*got a string/],
    [{ connection, limiter: [] }, /"queue\.limiter": must be an object/]
  ] as const) {
    await t.rejects(buildApp(t, { queue: queue as any }), { code: 'FST_PUSHER_INVALID_OPTION', message }, JSON.stringify(queue)?.slice(0, 60))
  }
})

t.test('the defaults, as the README gives them', async (t) => {
  t.same(resolveQueueOptions({ queue: { connection } }), {
    connection,
    name: 'fastify-pusher',
    worker: true,
    concurrency: 16,
    maxAgeMs: 24 * 3600_000,
    backoff: { minMs: 1000, maxMs: 60_000 },
    keep: { completedMs: 3600_000, failedMs: 7 * 24 * 3600_000 }
  })
  t.equal(resolveQueueOptions({}), undefined)
})

t.test('without bullmq installed, the queue option is FST_PUSHER_MISSING_DEPENDENCY saying what to install', async (t) => {
  const missing = (name: string): never => { throw Object.assign(new Error(`Cannot find module '${name}'`), { code: 'MODULE_NOT_FOUND' }) }
  t.throws(() => loadBullMQ(missing), { code: 'FST_PUSHER_MISSING_DEPENDENCY', message: 'The "queue" option needs the bullmq package: npm install bullmq' })
  const broken = (): never => { throw new SyntaxError('broken package') }
  t.throws(() => loadBullMQ(broken), SyntaxError, 'another failure is not hidden')
  t.equal(loadBullMQ(), require('bullmq'))
})

t.test('bullmq is loaded only when the queue option is set', async (t) => {
  const { execFileSync } = await import('node:child_process')
  const script = "require('fastify')().register(require('fastify-pusher'), { appId: '1', key: 'k', secret: 's' }).ready().then(() => console.log(Object.keys(require.cache).some((file) => file.includes('/node_modules/bullmq/'))))"
  t.equal(execFileSync(process.execPath, ['-e', script], { encoding: 'utf8' }).trim(), 'false')
})
