// fastify-pusher/otel with the real OpenTelemetry SDKs: spans in an in-memory exporter, metrics
// through an in-memory reader, after the known workload (workload.ts).
import diagnosticsChannel from 'node:diagnostics_channel'
import { context, SpanKind, SpanStatusCode } from '@opentelemetry/api'
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks'
import { AggregationTemporality, InMemoryMetricExporter, MeterProvider, PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics'
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base'
import t from 'tap'
import { openTelemetry } from '../../lib/telemetry/otel'
import fastifyPusher, { diagnosticChannels } from '../../index'
import { buildApp, checkedFastify, credentials, postForm, postWebhook } from '../helpers/app'
import { fakeApi } from '../helpers/fake-api'
import { sdk } from './sdk'
import { checkNoLeak, recordMessages, runWorkload, workloadApp } from './workload'

const sum = (points: Array<{ value: any }> | undefined): number => (points ?? []).reduce((total, point) => total + (typeof point.value === 'number' ? point.value : point.value.sum), 0)
const count = (points: Array<{ value: any }> | undefined): number => (points ?? []).reduce((total, point) => total + point.value.count, 0)

t.test('the workload as spans: 3 batch_events calls, 3 authorizations and a sign-in, 2 webhook deliveries', async (t) => {
  const { spans } = sdk(t)
  const { app } = await workloadApp(t)
  await runWorkload(t, app)
  const finished = spans.getFinishedSpans()
  const byName = (name: string) => finished.filter((span) => span.name === name)

  const sends = byName('send batch_events')
  t.equal(sends.length, 3, '25 triggers in one turn: 3 batch_events calls')
  t.same(sends.map((span) => span.attributes['messaging.batch.message_count']).sort(), [10, 10, 5].sort())
  for (const span of sends) {
    t.equal(span.kind, SpanKind.PRODUCER)
    t.match(span.attributes, {
      'messaging.system': 'pusher',
      'messaging.operation.type': 'send',
      'messaging.operation.name': 'batch_events',
      'http.request.method': 'POST',
      'http.response.status_code': 200,
      'pusher.api.attempt': 1,
      'pusher.api.channel_count': 1
    })
    t.ok((span.attributes['messaging.message.body.size'] as number) > 0, 'the body size')
  }

  const auths = byName('pusher auth private')
  t.equal(auths.length, 3)
  t.same(auths.map((span) => span.attributes['pusher.auth.result']), ['allowed', 'allowed', 'refused'])
  t.match(auths[2].attributes, { 'pusher.auth.route': '/pusher/auth', 'pusher.channel.type': 'private', 'pusher.channel.pattern': 'orders.{orderId}', 'error.type': 'FST_PUSHER_FORBIDDEN' })
  t.equal(auths[2].status.code, SpanStatusCode.ERROR, 'a refusal is an error span')
  t.equal(auths[0].status.code, SpanStatusCode.UNSET)
  t.match(byName('pusher sign-in').map((span) => span.attributes), [{ 'pusher.channel.type': 'user', 'pusher.auth.result': 'allowed' }])

  const deliveries = byName('process webhook')
  t.equal(deliveries.length, 2)
  t.same(deliveries.map((span) => span.attributes['pusher.webhook.outcome']), ['handled', 'duplicate'])
  for (const span of deliveries) {
    t.equal(span.kind, SpanKind.CONSUMER)
    t.match(span.attributes, { 'messaging.system': 'pusher', 'messaging.operation.type': 'process', 'messaging.batch.message_count': 1, 'pusher.webhook.route': '/pusher/events/presence' })
  }
  t.same(deliveries.map((span) => span.events.map((event) => event.attributes)), [
    [{ 'pusher.webhook.event': 'member_added', 'pusher.webhook.outcome': 'handled' }],
    [{ 'pusher.webhook.event': 'member_added', 'pusher.webhook.outcome': 'duplicate' }]
  ], 'each event of a delivery is an event of its span')
  t.equal(finished.length, 9, 'no other span')
})

t.test('the workload as metrics, following the messaging semantic conventions', async (t) => {
  const { metrics } = sdk(t)
  const { app } = await workloadApp(t)
  await runWorkload(t, app)
  const got = await metrics()

  const duration = got.get('messaging.client.operation.duration')
  t.equal(count(duration), 3, 'one duration per API call')
  t.match(duration?.[0].attributes, { 'messaging.system': 'pusher', 'messaging.operation.name': 'batch_events', 'messaging.operation.type': 'send', 'http.response.status_code': 200 })
  t.equal(sum(got.get('messaging.client.sent.messages')), 25, '25 events sent')
  t.equal(count(got.get('pusher.trigger.batch.size')), 3)
  t.equal(sum(got.get('pusher.trigger.batch.size')), 25)
  t.equal(count(got.get('pusher.trigger.queue.wait')), 3)
  t.equal(sum(got.get('pusher.api.in_flight')), 0, 'nothing in flight once done')
  t.notOk(got.has('pusher.api.errors'), 'no API error')
  t.notOk(got.has('pusher.api.retries'), 'no retry')

  const decisions = got.get('pusher.auth.decisions') ?? []
  const decided = (type: string, result: string) => sum(decisions.filter((point) => point.attributes['pusher.channel.type'] === type && point.attributes['pusher.auth.result'] === result))
  t.equal(decided('private', 'allowed'), 2)
  t.equal(decided('private', 'refused'), 1)
  t.equal(decided('user', 'allowed'), 1)
  t.equal(sum(decisions), 4)
  t.ok(decisions.every((point) => point.attributes['pusher.auth.route'] !== undefined))

  const events = got.get('pusher.webhook.events') ?? []
  t.same(events.map((point) => [point.attributes['pusher.webhook.event'], point.attributes['pusher.webhook.outcome'], point.value]).sort(), [
    ['member_added', 'duplicate', 1],
    ['member_added', 'handled', 1]
  ])
  t.equal(sum(got.get('messaging.client.consumed.messages')), 2)
  t.equal(count(got.get('messaging.process.duration')), 2)

  const attributes = [...got.values()].flatMap((points) => points.map((point) => point.attributes))
  checkNoLeak('metric attributes', attributes)
})

t.test('no message, span attribute or metric attribute holds a secret, a signature, event data, a socket id, a channel name or a user id', async (t) => {
  const { spans, metrics } = sdk(t)
  const messages = recordMessages(t)
  const { app } = await workloadApp(t)
  await runWorkload(t, app)
  t.ok(messages.length >= 3 + 3 + 1 + 2 + 2 + 3, `${messages.length} messages seen`)
  checkNoLeak('channel messages', messages)
  checkNoLeak('span names, attributes and events', spans.getFinishedSpans().map((span) => ({ name: span.name, attributes: span.attributes, events: span.events })))
  checkNoLeak('metric attributes', [...(await metrics()).values()].flatMap((points) => points.map((point) => point.attributes)))
  t.throws(() => { checkNoLeak('a planted socket id', [{ socket: '123456.7654321' }]) }, /a socket id/, 'the scan finds what it looks for')
})

t.test('an API call made in a request is a child of the request\'s span (@fastify/otel)', async (t) => {
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable())
  t.teardown(() => { context.disable() })
  const { spans, tracerProvider } = sdk(t)
  const { FastifyOtelInstrumentation } = await import('@fastify/otel')
  const instrumentation = new FastifyOtelInstrumentation()
  instrumentation.setTracerProvider(tracerProvider)
  const api = await fakeApi(t)
  const app = checkedFastify(t)
  await app.register(instrumentation.plugin())
  await app.register(fastifyPusher, { ...credentials, ...api.options })
  app.post('/orders', async () => {
    await app.pusher.trigger('orders', 'created', {})
    return { ok: true }
  })
  t.equal((await app.inject({ method: 'POST', url: '/orders' })).statusCode, 200)
  const finished = spans.getFinishedSpans()
  const send = finished.find((span) => span.name === 'send batch_events')
  const request = finished.find((span) => span.name === 'request')
  t.ok(send !== undefined && request !== undefined, 'the request span and the API call span')
  t.equal(send!.spanContext().traceId, request!.spanContext().traceId, 'one trace')
  const parent = finished.find((span) => span.spanContext().spanId === send!.parentSpanContext?.spanId)
  t.equal(parent?.instrumentationScope.name, '@fastify/otel', `the API call's parent is the request's (${parent?.name ?? 'none'})`)
  const chain = []
  for (let span = parent; span !== undefined; span = finished.find((each) => each.spanContext().spanId === span!.parentSpanContext?.spanId)) chain.push(span.name)
  t.equal(chain.at(-1), 'request', `up to the request span: ${chain.join(' < ')}`)
})

t.test('a failed call: error.type, its status, a retry counted', async (t) => {
  const { spans, metrics } = sdk(t)
  let calls = 0
  const api = await fakeApi(t, () => ++calls === 1 ? { status: 503, body: { error: 'busy' } } : { status: 200 })
  const app = await buildApp(t, { ...api.options, retries: 1, retryUnsafe: true, batching: false })
  await app.pusher.trigger('chat', 'message', {})
  const sends = spans.getFinishedSpans().filter((span) => span.name === 'send events')
  t.same(sends.map((span) => [span.attributes['pusher.api.attempt'], span.attributes['http.response.status_code'], span.attributes['error.type'] ?? null]), [
    [1, 503, 'FST_PUSHER_API_ERROR'],
    [2, 200, null]
  ])
  const got = await metrics()
  t.equal(sum(got.get('pusher.api.errors')), 1)
  t.match(got.get('pusher.api.errors')?.[0].attributes, { 'error.type': 'FST_PUSHER_API_ERROR', 'http.response.status_code': 503 })
  t.equal(sum(got.get('pusher.api.retries')), 1)
  t.equal(sum(got.get('messaging.client.sent.messages')), 2, 'an event per attempt (sent or not, as the convention counts)')
})

t.test('close() stops recording; tracerProvider or meterProvider false leaves that part out', async (t) => {
  const { spans, telemetry } = sdk(t)
  const { app } = await workloadApp(t)
  telemetry.close()
  await app.pusher.trigger('chat', 'message', {})
  t.equal(spans.getFinishedSpans().length, 0)
  const spansOnly = new InMemorySpanExporter()
  const spanProvider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(spansOnly)] })
  const metricExporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE)
  const reader = new PeriodicExportingMetricReader({ exporter: metricExporter, exportIntervalMillis: 3_600_000 })
  const meterProvider = new MeterProvider({ readers: [reader] })
  const noMetrics = openTelemetry({ tracerProvider: spanProvider, meterProvider: false })
  // The global meter provider is the API's no-op one here: the metrics part would record nothing anywhere anyway,
  // so the given provider (never handed over) proves it: nothing reaches its reader.
  await app.pusher.trigger('chat', 'message', {})
  noMetrics.close()
  t.equal(spansOnly.getFinishedSpans().length, 1, 'spans without metrics')
  await reader.forceFlush()
  t.same(metricExporter.getMetrics().flatMap((each) => each.scopeMetrics), [], 'no metric')
  const noSpans = openTelemetry({ tracerProvider: false, meterProvider })
  await app.pusher.trigger('chat', 'message', {})
  noSpans.close()
  await reader.forceFlush()
  t.ok(metricExporter.getMetrics().at(-1)?.scopeMetrics.length === 1, 'metrics without spans')
  t.equal(spansOnly.getFinishedSpans().length, 1, 'no new span')
  await meterProvider.shutdown()
  await spanProvider.shutdown()
})

t.test('without @opentelemetry/api installed: FST_PUSHER_MISSING_DEPENDENCY says what to install', async (t) => {
  const load = openTelemetry.load
  openTelemetry.load = () => { throw Object.assign(new Error('Cannot find module'), { code: 'MODULE_NOT_FOUND' }) }
  t.teardown(() => { openTelemetry.load = load })
  t.throws(() => openTelemetry(), { code: 'FST_PUSHER_MISSING_DEPENDENCY', message: 'fastify-pusher/otel needs the @opentelemetry/api package: npm install @opentelemetry/api' })
})

t.test('an API call made in a webhook handler is a child of the delivery\'s span; a failed delivery; a query; an unreachable API', async (t) => {
  const { spans, metrics } = sdk(t)
  const api = await fakeApi(t)
  const app = await buildApp(t, { ...api.options, batching: false })
  app.pusher.webhooks.on('channel_occupied', async (_request, event) => { await app.pusher.trigger('rooms', 'occupied', { room: event.channel }) })
  app.pusher.webhooks.on('channel_vacated', () => { throw new Error('INTERNAL') })
  const occupied = JSON.stringify({ time_ms: 1, events: [{ name: 'channel_occupied', channel: 'room-1' }] })
  t.equal((await postWebhook(app, 'channel_existence', occupied)).statusCode, 200)
  const vacated = JSON.stringify({ time_ms: 2, events: [{ name: 'channel_vacated', channel: 'room-1' }] })
  t.equal((await postWebhook(app, 'channel_existence', vacated)).statusCode, 500)
  await app.pusher.channelsInfo()
  const unreachable = await buildApp(t, { host: '127.0.0.1', port: 1, useTLS: false, retries: 0, batching: false })
  await t.rejects(unreachable.pusher.trigger('a', 'e', 1), { code: 'FST_PUSHER_API_UNREACHABLE' })

  const finished = spans.getFinishedSpans()
  const [delivery, failed] = finished.filter((span) => span.name === 'process webhook')
  const send = finished.find((span) => span.name === 'send events' && span.attributes['http.response.status_code'] === 200)
  t.equal(send?.parentSpanContext?.spanId, delivery.spanContext().spanId, 'the trigger in the handler is a child of the delivery')
  t.equal(send?.spanContext().traceId, delivery.spanContext().traceId)
  t.match(failed.attributes, { 'pusher.webhook.outcome': 'failed', 'error.type': 'FST_PUSHER_HANDLER_FAILED' })
  const query = finished.find((span) => span.name === 'send channels')
  t.match(query?.attributes, { 'http.request.method': 'GET', 'pusher.api.channel_count': 0 })
  t.equal(query?.kind, SpanKind.CLIENT, 'a query is a client call')
  t.notOk(query !== undefined && 'messaging.operation.type' in query.attributes, 'not a send')
  t.notOk(query !== undefined && 'messaging.batch.message_count' in query.attributes, 'a query is no batch')
  const cut = finished.find((span) => span.attributes['error.type'] === 'FST_PUSHER_API_UNREACHABLE')
  t.notOk(cut !== undefined && 'http.response.status_code' in cut.attributes, 'no answer, no status')
  t.ok(cut !== undefined)

  const got = await metrics()
  t.match(got.get('messaging.process.duration')?.find((point) => point.attributes['pusher.webhook.outcome'] === 'failed')?.attributes, { 'error.type': 'FST_PUSHER_HANDLER_FAILED' })
  t.equal(sum(got.get('messaging.client.sent.messages')), 2, 'the query sent no message; the trigger and the unreachable attempt did')
})

t.test('openTelemetry() records through the API\'s global providers by default', async (t) => {
  const { metrics: metricsApi, trace } = await import('@opentelemetry/api')
  const spans = new InMemorySpanExporter()
  const tracerProvider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(spans)] })
  const exporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE)
  const reader = new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 3_600_000 })
  const meterProvider = new MeterProvider({ readers: [reader] })
  trace.setGlobalTracerProvider(tracerProvider)
  metricsApi.setGlobalMeterProvider(meterProvider)
  t.teardown(async () => { trace.disable(); metricsApi.disable(); await meterProvider.shutdown(); await tracerProvider.shutdown() })
  const telemetry = openTelemetry()
  t.teardown(() => { telemetry.close() })
  const { app } = await workloadApp(t)
  await app.pusher.trigger('chat', 'message', {})
  t.equal(spans.getFinishedSpans().length, 1)
  await reader.forceFlush()
  t.ok(exporter.getMetrics().at(-1)?.scopeMetrics.some((scope) => scope.scope.name === 'fastify-pusher'), 'metrics of the fastify-pusher meter')
})

t.test('an operation that started before openTelemetry() subscribed gets no span', async (t) => {
  const channel = diagnosticsChannel.tracingChannel(diagnosticChannels.api)
  const noop = (): void => {}
  const other = { start: noop, end: noop, asyncStart: noop, asyncEnd: noop, error: noop }
  channel.subscribe(other)
  t.teardown(() => { channel.unsubscribe(other) })
  const message = { method: 'POST', kind: 'events', events: 1, channels: 1, bytes: 1, attempt: 1 }
  channel.start.publish(message)
  const { spans } = sdk(t)
  channel.asyncEnd.publish(message)
  t.same(spans.getFinishedSpans(), [])
})

t.test('a tracer that throws does not fail the plugin\'s operation', async (t) => {
  const throwing = { getTracer: () => ({ startSpan: () => { throw new Error('tracer down') }, startActiveSpan: () => { throw new Error('tracer down') } }) }
  const telemetry = openTelemetry({ tracerProvider: throwing as never, meterProvider: false })
  t.teardown(() => { telemetry.close() })
  const { app } = await workloadApp(t)
  t.same(await app.pusher.trigger('chat', 'message', {}), {})
  t.equal((await postForm(app, '/pusher/auth', 'socket_id=1.1&channel_name=private-orders.1')).statusCode, 200)
})

t.test('a delivery with no store call has no dedupe time on its span', async (t) => {
  const { spans } = sdk(t)
  const app = await buildApp(t, { webhookDedupe: false })
  app.pusher.webhooks.on('channel_occupied', () => {})
  t.equal((await postWebhook(app, 'channel_existence', JSON.stringify({ time_ms: 1, events: [{ name: 'channel_occupied', channel: 'a' }] }))).statusCode, 200)
  const [delivery] = spans.getFinishedSpans()
  t.equal(delivery.attributes['pusher.webhook.outcome'], 'handled')
  t.notOk('pusher.webhook.dedupe_ms' in delivery.attributes)
})
