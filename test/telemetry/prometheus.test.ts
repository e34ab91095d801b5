// fastify-pusher/prometheus with the real prom-client: its text output after the known workload
// (workload.ts), beside the app's own metrics in one registry, and beside fastify-metrics 13.
import diagnosticsChannel from 'node:diagnostics_channel'
import { Counter, Registry } from 'prom-client'
import t from 'tap'
import fastifyPusher, { diagnosticChannels } from '../../index'
import { prometheusMetrics } from '../../lib/telemetry/prometheus'
import { buildApp, checkedFastify, credentials } from '../helpers/app'
import { fakeApi } from '../helpers/fake-api'
import { checkNoLeak, runWorkload, workloadApp } from './workload'

/** The samples of the text output, without comments: `name{labels} value`, the durations' values left out. */
function samples (text: string): string[] {
  return text.split('\n').filter((line) => line !== '' && !line.startsWith('#'))
}

t.test('the workload in prom-client\'s text output, beside the app\'s own metrics', async (t) => {
  const registry = new Registry()
  const own = new Counter({ name: 'app_orders_total', help: 'The app\'s own.', registers: [registry] })
  own.inc()
  const metrics = prometheusMetrics({ registry })
  t.teardown(() => { metrics.close() })
  const { app } = await workloadApp(t)
  await runWorkload(t, app)
  const text = await registry.metrics()
  const lines = samples(text)
  const has = (line: string): void => { t.ok(lines.includes(line), line) }

  has('app_orders_total 1')
  has('pusher_api_requests_total{operation="batch_events",status="200"} 3')
  has('pusher_api_request_duration_seconds_count{operation="batch_events"} 3')
  has('pusher_events_sent_total 25')
  has('pusher_trigger_in_flight 0')
  has('pusher_trigger_queue_depth 0')
  has('pusher_trigger_batch_size_count 3')
  has('pusher_trigger_batch_size_sum 25')
  has('pusher_trigger_batch_size_bucket{le="5"} 1')
  has('pusher_trigger_batch_size_bucket{le="10"} 3')
  has('pusher_trigger_queue_wait_seconds_count 3')
  has('pusher_auth_decisions_total{route="/pusher/auth",type="private",result="allowed"} 2')
  has('pusher_auth_decisions_total{route="/pusher/auth",type="private",result="refused"} 1')
  has('pusher_auth_decisions_total{route="/pusher/user-auth",type="user",result="allowed"} 1')
  has('pusher_auth_duration_seconds_count{route="/pusher/auth",type="private"} 3')
  has('pusher_webhook_deliveries_total{route="/pusher/events/presence",outcome="handled"} 1')
  has('pusher_webhook_deliveries_total{route="/pusher/events/presence",outcome="duplicate"} 1')
  has('pusher_webhook_events_total{event="member_added",outcome="handled"} 1')
  has('pusher_webhook_events_total{event="member_added",outcome="duplicate"} 1')
  has('pusher_webhook_duration_seconds_count{route="/pusher/events/presence"} 2')
  t.notMatch(text, /pusher_api_retries_total\{/, 'no retry')
  t.notMatch(text, /pusher_queue_operations_total\{/, 'no durable queue in this workload')
  checkNoLeak('the metrics text', [text])
})

t.test('a failed attempt and its retry: the statuses, and timeouts by name', async (t) => {
  const registry = new Registry()
  const metrics = prometheusMetrics({ registry })
  t.teardown(() => { metrics.close() })
  let calls = 0
  const api = await fakeApi(t, () => ++calls === 1 ? { status: 503, body: { error: 'busy' } } : { status: 200 })
  const app = await buildApp(t, { ...api.options, retries: 1, retryUnsafe: true, batching: false })
  await app.pusher.trigger('chat', 'message', {})
  const slow = await fakeApi(t, () => ({ status: 200, delayMs: 500 }))
  const slowApp = await buildApp(t, { ...slow.options, retries: 0, batching: false, timeout: 100 })
  await t.rejects(slowApp.pusher.trigger('chat', 'message', {}), { code: 'FST_PUSHER_API_TIMEOUT' })
  const lines = samples(await registry.metrics())
  for (const line of [
    'pusher_api_requests_total{operation="events",status="503"} 1',
    'pusher_api_requests_total{operation="events",status="timeout"} 1',
    'pusher_api_requests_total{operation="events",status="200"} 1',
    'pusher_api_retries_total{operation="events"} 1',
    'pusher_events_sent_total 1'
  ]) t.ok(lines.includes(line), line)
})

t.test('close() removes the metrics from the registry and stops recording; a second helper on one registry is refused by prom-client', async (t) => {
  const registry = new Registry()
  const metrics = prometheusMetrics({ registry })
  t.throws(() => prometheusMetrics({ registry }), /already been registered/)
  metrics.close()
  t.equal(await registry.metrics(), '\n')
  const again = prometheusMetrics({ registry })
  again.close()
  t.equal(await registry.metrics(), '\n', 'registered again after close, and removed again')
})

t.test('a registry that already holds one of the names: prom-client refuses, and none of the plugin\'s metrics is left behind', async (t) => {
  const registry = new Registry()
  new Counter({ name: 'pusher_webhook_events_total', help: 'the app\'s own, by chance', registers: [registry] }) // eslint-disable-line no-new
  t.throws(() => prometheusMetrics({ registry }), /already been registered/)
  t.same(registry.getMetricsAsArray().map((metric) => metric.name), ['pusher_webhook_events_total'])
})

t.test('prom-client\'s global registry by default', async (t) => {
  const { register } = await import('prom-client')
  const metrics = prometheusMetrics()
  t.teardown(() => { metrics.close() })
  t.match(await register.metrics(), /pusher_events_sent_total 0/)
})

t.test('without prom-client installed: FST_PUSHER_MISSING_DEPENDENCY says what to install', async (t) => {
  const load = prometheusMetrics.load
  prometheusMetrics.load = () => { throw Object.assign(new Error('Cannot find module'), { code: 'MODULE_NOT_FOUND' }) }
  t.teardown(() => { prometheusMetrics.load = load })
  t.throws(() => prometheusMetrics(), { code: 'FST_PUSHER_MISSING_DEPENDENCY', message: 'fastify-pusher/prometheus needs the prom-client package: npm install prom-client' })
})

t.test('a failure of no known kind, with no status: status="error"', async (t) => {
  const registry = new Registry()
  const metrics = prometheusMetrics({ registry })
  t.teardown(() => { metrics.close() })
  const channel = diagnosticsChannel.tracingChannel(diagnosticChannels.api)
  const message = { method: 'POST', kind: 'events', events: 1, channels: 1, bytes: 10, attempt: 1, errorCode: 'SOMETHING_ELSE' }
  channel.start.publish(message)
  channel.asyncEnd.publish(message)
  t.match(await registry.metrics(), /^pusher_api_requests_total\{operation="events",status="error"\} 1$/m)
})

t.test('beside fastify-metrics 13 (on prom-client 15): its /metrics serves the plugin\'s metrics too', async (t) => {
  const { default: fastifyMetrics } = await import('fastify-metrics')
  const api = await fakeApi(t)
  const app = checkedFastify(t)
  await app.register(fastifyMetrics, { endpoint: '/metrics', defaultMetrics: { enabled: false } })
  const metrics = prometheusMetrics({ registry: app.metrics.client.register })
  t.teardown(() => { metrics.close() })
  await app.register(fastifyPusher, { ...credentials, ...api.options })
  app.get('/orders', async () => ({ orders: [] }))
  await app.ready()
  await app.inject('/orders')
  await app.pusher.trigger('chat', 'message', {})
  const text = (await app.inject('/metrics')).body
  t.match(text, /^http_request_duration_seconds_count\{method="GET",route="\/orders",status_code="200"\} 1$/m, 'fastify-metrics\' own')
  t.match(text, /^pusher_events_sent_total 1$/m, 'the plugin\'s')
})
