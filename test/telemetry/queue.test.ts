// The durable queue on fastify-pusher.queue, and as OpenTelemetry spans and metrics and Prometheus
// metrics: enqueueing (stored, failed), and each job attempt (sent, split, retry, paused, failed, expired).
// A real redis-server, a loopback API, the real SDKs.
import diagnosticsChannel from 'node:diagnostics_channel'
import { Registry } from 'prom-client'
import t, { type Test } from 'tap'
import { diagnosticChannels, type PusherQueueMessage } from '../../index'
import { prometheusMetrics } from '../../lib/telemetry/prometheus'
import { buildApp } from '../helpers/app'
import { json, rawApi, type Handler } from '../helpers/fake-api'
import { startRedis } from '../helpers/redis'
import { sdk } from './sdk'
import { until } from '../helpers/until'

/** Every completed queue operation's message, in order. */
function watchQueue (t: Test): PusherQueueMessage[] {
  const seen: PusherQueueMessage[] = []
  const handlers = { asyncEnd: (message: PusherQueueMessage) => { seen.push({ ...message }) } }
  const channel = diagnosticsChannel.tracingChannel(diagnosticChannels.queue)
  channel.subscribe(handlers as never)
  t.teardown(() => { channel.unsubscribe(handlers as never) })
  return seen
}

async function setup (t: Test, handler: Handler, queue: object = {}) {
  const redis = await startRedis(t)
  const api = await rawApi(t, handler)
  const app = await buildApp(t, { appId: '4', key: 'k', secret: 's', host: '127.0.0.1', port: api.port, useTLS: false, retries: 0, timeout: 500, queue: { connection: redis.client(), backoff: { minMs: 10, maxMs: 20 }, ...queue } })
  await app.ready()
  return { redis, api, app }
}

const outcomes = (seen: PusherQueueMessage[]) => seen.map(({ operation, events, attempt, outcome, errorCode }) => ({ operation, events, attempt, outcome, errorCode }))

t.test('a refused job is split, only the bad event fails; a user event is one event: spans, OTel and Prometheus metrics', async (t) => {
  const { spans, metrics: otelMetrics } = sdk(t)
  const registry = new Registry()
  const prometheus = prometheusMetrics({ registry })
  t.teardown(() => { prometheus.close() })
  const seen = watchQueue(t)
  const handler: Handler = (req, res, body) => {
    const names = (JSON.parse(body).batch ?? []).map((event: { name: string }) => event.name)
    json(names.includes('bad') ? 400 : 200, names.includes('bad') ? { error: 'refused' } : {})(req, res, body)
  }
  const { app } = await setup(t, handler)
  await Promise.all([app.pusher.queue.trigger('chat', 'good', 1), app.pusher.queue.trigger('chat', 'bad', 2)])
  await until(async () => (await app.pusher.queue.counts()).failed === 1, 'the bad event failed')
  await app.pusher.queue.sendToUser('ann', 'notice', 1)
  await until(() => seen.filter((message) => message.operation === 'job').length === 4, 'four attempts')

  const sorted = outcomes(seen).sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)))
  t.same(sorted, [
    { operation: 'enqueue', events: 1, attempt: undefined, outcome: 'stored', errorCode: undefined },
    { operation: 'enqueue', events: 2, attempt: undefined, outcome: 'stored', errorCode: undefined },
    { operation: 'job', events: 1, attempt: 1, outcome: 'failed', errorCode: 'FST_PUSHER_API_ERROR' },
    { operation: 'job', events: 1, attempt: 1, outcome: 'sent', errorCode: undefined },
    { operation: 'job', events: 1, attempt: 1, outcome: 'sent', errorCode: undefined },
    { operation: 'job', events: 2, attempt: 1, outcome: 'split', errorCode: undefined }
  ], 'the enqueue of 2 events and of a user event; the job split, the good event sent, the bad one failed; the user event sent')
  t.ok(seen.filter((message) => message.operation === 'job').every((message) => typeof message.waitMs === 'number' && message.waitMs >= 0), 'the wait since enqueueing')

  const names = spans.getFinishedSpans().map((span) => span.name)
  t.equal(names.filter((name) => name === 'pusher enqueue').length, 2)
  t.equal(names.filter((name) => name === 'pusher job').length, 4)
  t.match(spans.getFinishedSpans().find((span) => span.name === 'pusher job' && span.attributes['pusher.queue.outcome'] === 'split')?.attributes,
    { 'pusher.queue.operation': 'job', 'messaging.batch.message_count': 2, 'pusher.queue.attempt': 1 })
  t.notOk('error.type' in (spans.getFinishedSpans().find((span) => span.attributes['pusher.queue.outcome'] === 'split')?.attributes ?? {}), 'a split is no failure')

  const metrics = await otelMetrics()
  const operations = (metrics.get('pusher.queue.operations') ?? [])
    .map((point) => [point.attributes['pusher.queue.operation'], point.attributes['pusher.queue.outcome'], point.value]).sort()
  t.same(operations, [['enqueue', 'stored', 2], ['job', 'failed', 1], ['job', 'sent', 2], ['job', 'split', 1]])
  t.ok(metrics.has('pusher.queue.wait'))

  const text = await registry.metrics()
  for (const line of [
    'pusher_queue_operations_total{operation="enqueue",outcome="stored"} 2',
    'pusher_queue_operations_total{operation="job",outcome="split"} 1',
    'pusher_queue_operations_total{operation="job",outcome="sent"} 2',
    'pusher_queue_operations_total{operation="job",outcome="failed"} 1',
    'pusher_queue_wait_seconds_count 4'
  ]) t.ok(text.includes(line), line)
})

t.test('retried, then sent; 401 pauses', async (t) => {
  const seen = watchQueue(t)
  let status = 503
  const { api, app } = await setup(t, (req, res, body) => json(status, status === 200 ? {} : { error: 'no' })(req, res, body))
  await app.pusher.queue.trigger('chat', 'e', 1)
  await until(() => api.requests.length >= 2, 'two attempts')
  status = 401
  await until(() => seen.some((message) => message.outcome === 'paused'), 'paused')
  status = 200
  await app.pusher.queue.resume()
  await until(() => seen.some((message) => message.outcome === 'sent'), 'sent')
  const jobs = outcomes(seen).filter((message) => message.operation === 'job')
  t.match(jobs[0], { attempt: 1, outcome: 'retry', errorCode: 'FST_PUSHER_API_ERROR' })
  t.match(jobs.find((message) => message.outcome === 'paused'), { errorCode: 'FST_PUSHER_API_ERROR' })
  t.match(jobs.at(-1), { outcome: 'sent', errorCode: undefined })
  t.ok(jobs.every((message, i) => message.attempt === i + 1), 'the attempts count up')
})

t.test('an event past maxAgeMs expires; enqueueing into a stopped Redis fails', async (t) => {
  const seen = watchQueue(t)
  const redis = await startRedis(t)
  const api = await rawApi(t, json(200, {}))
  const options = { appId: '4', key: 'k', secret: 's', host: '127.0.0.1', port: api.port, useTLS: false, closeTimeout: 300 }
  const producer = await buildApp(t, { ...options, queue: { connection: redis.client(), worker: false, maxAgeMs: 50 } })
  await producer.pusher.queue.trigger('chat', 'stale', 1)
  await new Promise((resolve) => setTimeout(resolve, 100))
  const worker = await buildApp(t, { ...options, queue: { connection: redis.client(), maxAgeMs: 50 } })
  await worker.ready()
  await until(() => seen.some((message) => message.outcome === 'expired'), 'expired')
  t.match(seen.find((message) => message.outcome === 'expired'), { operation: 'job', events: 1, attempt: 1, errorCode: 'FST_PUSHER_QUEUE_EXPIRED' })
  await redis.stop()
  await t.rejects(producer.pusher.queue.trigger('chat', 'lost', 1), { code: 'FST_PUSHER_QUEUE_UNAVAILABLE' })
  t.match(seen.at(-1), { operation: 'enqueue', events: 1, outcome: 'failed', errorCode: 'FST_PUSHER_QUEUE_UNAVAILABLE' })
  t.same(api.requests, [], 'nothing sent')
})
