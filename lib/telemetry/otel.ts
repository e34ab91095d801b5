import { AsyncLocalStorage } from 'node:async_hooks'
import type { Context, MeterProvider, Span, SpanKind, TracerProvider } from '@opentelemetry/api'
import type {
  PusherApiMessage, PusherAuthMessage, PusherQueueMessage, PusherTelemetry, PusherWebhookEventMessage, PusherWebhookMessage
} from '../../types/telemetry'
import { loadOptional } from '../optional-dependency'
import { apiChannel, authChannel, queueChannel, webhookChannel, webhookEventChannel, type Tracing } from './channels'
import { otelMetricSink } from './otel-metrics'
import { subscribeMetrics } from './subscribe'

type OtelApi = typeof import('@opentelemetry/api')

export type { PusherTelemetry } from '../../types/telemetry'

export interface OpenTelemetryOptions {
  /** Default: the API's global tracer provider. `false`: no spans. */
  tracerProvider?: TracerProvider | false
  /** Default: the API's global meter provider. `false`: no metrics. */
  meterProvider?: MeterProvider | false
}

// The package's own version, by self-reference (the same from lib/ and from dist/lib/).
const { version } = require('fastify-pusher/package.json') as { version: string }

type Attributes = Record<string, string | number>
const SYSTEM = { 'messaging.system': 'pusher' } as const

/**
 * Records the plugin's diagnostics channels as OpenTelemetry spans and metrics, through the given (or
 * the API's global) providers: a span per API call attempt (a child of the active span, so of the
 * request's span under `@fastify/otel`), per authorization and sign-in, per webhook delivery (its
 * events as span events), and per durable queue operation.
 */
export function openTelemetry (options: OpenTelemetryOptions = {}): PusherTelemetry {
  const api = loadOptional<OtelApi>('@opentelemetry/api', 'fastify-pusher/otel', openTelemetry.load)
  const undo: Array<() => void> = []
  if (options.tracerProvider !== false) undo.push(recordSpans(api, options.tracerProvider ?? api.trace.getTracerProvider()))
  if (options.meterProvider !== false) {
    const meter = (options.meterProvider ?? api.metrics.getMeterProvider()).getMeter('fastify-pusher', version)
    undo.push(subscribeMetrics(otelMetricSink(meter)))
  }
  return { close: () => { for (const each of undo.splice(0)) each() } }
}
/** How the API is loaded (a test makes it missing). */
openTelemetry.load = require as (name: string) => unknown

interface SpanShape<Message> {
  name: (message: Message) => string
  kind: (message: Message) => SpanKind
  attributes: (message: Message) => Attributes
  /** The attributes known once the operation is done. */
  done: (message: Message) => Attributes
}

function recordSpans (api: OtelApi, provider: TracerProvider): () => void {
  const tracer = provider.getTracer('fastify-pusher', version)
  // The span of the operation under way: the parent of what it starts (an API call made in a webhook handler).
  const current = new AsyncLocalStorage<Context>()
  const undo: Array<() => void> = []

  const trace = <Message extends { errorCode?: string }>(channel: Tracing<Message>, shape: SpanShape<Message>): void => {
    const spans = new WeakMap<object, Span>()
    channel.start.bindStore(current as AsyncLocalStorage<unknown>, (message) => {
      const parent = current.getStore() ?? api.context.active()
      // A tracer that throws must not fail the plugin's operation (Node would make it an uncaught exception).
      try {
        const span = tracer.startSpan(shape.name(message), { kind: shape.kind(message), attributes: shape.attributes(message) }, parent)
        spans.set(message, span)
        return api.trace.setSpan(parent, span)
      } catch {
        return parent
      }
    })
    const handlers = {
      asyncEnd: (message: Message) => {
        const span = spans.get(message)
        if (span === undefined) return
        spans.delete(message)
        span.setAttributes(shape.done(message))
        if (message.errorCode !== undefined) {
          span.setAttribute('error.type', message.errorCode)
          span.setStatus({ code: api.SpanStatusCode.ERROR })
        }
        span.end()
      }
    }
    channel.subscribe(handlers as Parameters<typeof channel.subscribe>[0])
    undo.push(() => {
      channel.start.unbindStore(current as AsyncLocalStorage<unknown>)
      channel.unsubscribe(handlers as Parameters<typeof channel.subscribe>[0])
    })
  }

  trace<PusherApiMessage>(apiChannel, {
    name: (message) => `send ${message.kind}`,
    // A query (GET /channels, /users) is a client call, not a send.
    kind: (message) => message.method === 'GET' ? api.SpanKind.CLIENT : api.SpanKind.PRODUCER,
    attributes: (message) => ({
      ...SYSTEM,
      ...(message.method === 'POST' ? { 'messaging.operation.type': 'send' } : {}),
      'messaging.operation.name': message.kind,
      ...(message.events > 1 ? { 'messaging.batch.message_count': message.events } : {}),
      'http.request.method': message.method,
      'pusher.api.channel_count': message.channels,
      'messaging.message.body.size': message.bytes,
      'pusher.api.attempt': message.attempt
    }),
    done: (message): Attributes => message.status === undefined ? {} : { 'http.response.status_code': message.status }
  })
  trace<PusherAuthMessage>(authChannel, {
    name: (message) => message.type === 'user' ? 'pusher sign-in' : `pusher auth ${message.type}`,
    kind: () => api.SpanKind.INTERNAL,
    attributes: (message) => ({
      'pusher.auth.route': message.route,
      'pusher.channel.type': message.type,
      ...(message.pattern === undefined ? {} : { 'pusher.channel.pattern': message.pattern })
    }),
    done: (message) => ({ 'pusher.auth.result': message.result as string })
  })
  trace<PusherWebhookMessage>(webhookChannel, {
    name: () => 'process webhook',
    kind: () => api.SpanKind.CONSUMER,
    attributes: (message) => ({
      ...SYSTEM,
      'messaging.operation.type': 'process',
      'messaging.operation.name': 'webhook',
      'messaging.batch.message_count': message.events,
      'pusher.webhook.route': message.route
    }),
    done: (message): Attributes => message.storeMs === undefined
      ? { 'pusher.webhook.outcome': message.outcome as string }
      : { 'pusher.webhook.outcome': message.outcome as string, 'pusher.webhook.dedupe_ms': message.storeMs }
  })
  trace<PusherQueueMessage>(queueChannel, {
    name: (message) => message.operation === 'enqueue' ? 'pusher enqueue' : 'pusher job',
    kind: () => api.SpanKind.INTERNAL,
    attributes: (message) => ({
      'pusher.queue.operation': message.operation,
      'messaging.batch.message_count': message.events,
      ...(message.attempt === undefined ? {} : { 'pusher.queue.attempt': message.attempt }),
      ...(message.waitMs === undefined ? {} : { 'pusher.queue.wait_ms': message.waitMs })
    }),
    done: (message) => ({ 'pusher.queue.outcome': message.outcome as string })
  })

  // A delivery's events, as events of its span: published while the delivery's context is current.
  const onEvent = (message: unknown): void => {
    const { event, outcome } = message as PusherWebhookEventMessage
    const store = current.getStore()
    if (store !== undefined) api.trace.getSpan(store)?.addEvent('pusher.webhook.event', { 'pusher.webhook.event': event, 'pusher.webhook.outcome': outcome })
  }
  webhookEventChannel.subscribe(onEvent)
  undo.push(() => { webhookEventChannel.unsubscribe(onEvent) })
  undo.push(() => { current.disable() })
  return () => { for (const each of undo.splice(0)) each() }
}
