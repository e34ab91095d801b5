import type { Meter } from '@opentelemetry/api'
import type { MetricSink } from './subscribe'

const SYSTEM = { 'messaging.system': 'pusher' } as const

/**
 * The plugin's metrics on an OpenTelemetry meter, following the messaging semantic conventions
 * (`messaging.client.*`, `messaging.process.duration`) plus its own under `pusher.*`. No attribute
 * holds a channel name, a user id or a socket id: only bounded values (kinds, codes, statuses, routes,
 * rule patterns, Pusher's webhook event names).
 */
export function otelMetricSink (meter: Meter): MetricSink {
  const operationDuration = meter.createHistogram('messaging.client.operation.duration', { unit: 's', description: 'Duration of each Pusher API call attempt.' })
  const sent = meter.createCounter('messaging.client.sent.messages', { unit: '{message}', description: 'Events the plugin attempted to send to the Pusher API.' })
  const consumed = meter.createCounter('messaging.client.consumed.messages', { unit: '{message}', description: 'Webhook events handed to the app (duplicates included, with their outcome).' })
  const processDuration = meter.createHistogram('messaging.process.duration', { unit: 's', description: 'Duration of each webhook delivery, from dispatch to the answer.' })
  const apiErrors = meter.createCounter('pusher.api.errors', { unit: '{call}', description: 'API call attempts that failed, by error type and status.' })
  const retries = meter.createCounter('pusher.api.retries', { unit: '{call}', description: 'API call attempts after the first.' })
  const inFlight = meter.createUpDownCounter('pusher.api.in_flight', { unit: '{call}', description: 'API call attempts under way.' })
  const authDecisions = meter.createCounter('pusher.auth.decisions', { unit: '{decision}', description: 'Channel authorizations and user sign-ins, by result.' })
  const authDuration = meter.createHistogram('pusher.auth.duration', { unit: 's', description: 'Duration of each channel authorization or sign-in (the handler or rule included).' })
  const webhookEvents = meter.createCounter('pusher.webhook.events', { unit: '{event}', description: 'Webhook events, by name and outcome.' })
  const dedupeDuration = meter.createHistogram('pusher.webhook.dedupe.duration', { unit: 's', description: 'Time each delivery spent in the dedupe store.' })
  const batchSize = meter.createHistogram('pusher.trigger.batch.size', { unit: '{message}', description: 'Events per auto-batched batch_events call.', advice: { explicitBucketBoundaries: [1, 2, 5, 10, 20, 50, 100] } })
  const batchWait = meter.createHistogram('pusher.trigger.queue.wait', { unit: 's', description: 'Time an auto-batched batch waited before it was handed to the API.' })
  const queueDepth = meter.createGauge('pusher.trigger.queue.depth', { unit: '{message}', description: 'Triggers waiting in memory to be sent, at the last flush.' })
  const jobs = meter.createCounter('pusher.queue.operations', { unit: '{operation}', description: 'Durable queue operations (enqueue, job attempts), by outcome.' })
  const jobWait = meter.createHistogram('pusher.queue.wait', { unit: 's', description: 'Time between enqueueing and a job attempt.' })

  return {
    api: (message, seconds) => {
      const attributes = {
        ...SYSTEM,
        'messaging.operation.name': message.kind,
        ...(message.method === 'POST' ? { 'messaging.operation.type': 'send' } : {}),
        ...(message.status === undefined ? {} : { 'http.response.status_code': message.status }),
        ...(message.errorCode === undefined ? {} : { 'error.type': message.errorCode })
      }
      operationDuration.record(seconds, attributes)
      if (message.events > 0) sent.add(message.events, attributes)
      if (message.errorCode !== undefined) apiErrors.add(1, attributes)
      if (message.attempt > 1) retries.add(1, { ...SYSTEM, 'messaging.operation.name': message.kind })
    },
    apiInFlight: (delta) => { inFlight.add(delta, SYSTEM) },
    auth: (message, seconds) => {
      const attributes = {
        'pusher.auth.route': message.route,
        'pusher.channel.type': message.type,
        'pusher.auth.result': message.result as string,
        ...(message.pattern === undefined ? {} : { 'pusher.channel.pattern': message.pattern })
      }
      authDecisions.add(1, attributes)
      authDuration.record(seconds, attributes)
    },
    webhook: (message, seconds) => {
      processDuration.record(seconds, {
        ...SYSTEM,
        'messaging.operation.name': 'webhook',
        'messaging.operation.type': 'process',
        'pusher.webhook.outcome': message.outcome as string,
        ...(message.errorCode === undefined ? {} : { 'error.type': message.errorCode })
      })
      if (message.storeMs !== undefined) dedupeDuration.record(message.storeMs / 1000, { 'pusher.webhook.outcome': message.outcome as string })
    },
    webhookEvent: (message) => {
      const attributes = { 'pusher.webhook.event': message.event, 'pusher.webhook.outcome': message.outcome }
      consumed.add(1, { ...SYSTEM, 'messaging.operation.name': 'webhook', 'messaging.operation.type': 'process', ...attributes })
      webhookEvents.add(1, attributes)
    },
    queue: (message) => {
      jobs.add(1, { 'pusher.queue.operation': message.operation, 'pusher.queue.outcome': message.outcome as string })
      if (message.waitMs !== undefined) jobWait.record(message.waitMs / 1000, { 'pusher.queue.outcome': message.outcome as string })
    },
    batch: (message) => {
      batchSize.record(message.size, SYSTEM)
      batchWait.record(message.waitMs / 1000, SYSTEM)
      queueDepth.record(message.queued, SYSTEM)
    }
  }
}
