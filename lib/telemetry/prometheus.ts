import type { Registry } from 'prom-client'
import { loadOptional } from '../optional-dependency'
import { subscribeMetrics } from './subscribe'
import type { PusherTelemetry } from '../../types/telemetry'

export type { PusherTelemetry } from '../../types/telemetry'

type PromClient = typeof import('prom-client')

export interface PrometheusOptions {
  /** Where the metrics go. Default: prom-client's global registry. */
  registry?: Registry
}

/** A failure without a status from the server, by code: its `status` label. */
const STATUS_OF_CODE: Record<string, string> = {
  FST_PUSHER_API_TIMEOUT: 'timeout',
  FST_PUSHER_API_UNREACHABLE: 'unreachable',
  FST_PUSHER_CLOSED: 'closed'
}

/**
 * Registers the plugin's metrics, with Prometheus names, into `registry` (beside the app's own), fed
 * by the diagnostics channels. `close()` unsubscribes and removes them from the registry.
 */
export function prometheusMetrics (options: PrometheusOptions = {}): PusherTelemetry {
  const prom = loadOptional<PromClient>('prom-client', 'fastify-pusher/prometheus', prometheusMetrics.load)
  const registry = options.registry ?? prom.register
  const registers = [registry]
  const names: string[] = []
  /** Registers one metric; when the registry refuses it (already registered), the ones before it are removed too. */
  const add = <M>(name: string, make: () => M): M => {
    try {
      const metric = make()
      names.push(name)
      return metric
    } catch (error) {
      for (const each of names.splice(0)) registry.removeSingleMetric(each)
      throw error
    }
  }
  const counter = <L extends string>(name: string, help: string, labelNames: L[] = []): InstanceType<PromClient['Counter']> =>
    add(name, () => new prom.Counter({ name, help, labelNames, registers }))
  const histogram = <L extends string>(name: string, help: string, labelNames: L[], buckets?: number[]): InstanceType<PromClient['Histogram']> =>
    add(name, () => new prom.Histogram({ name, help, labelNames, registers, ...(buckets === undefined ? {} : { buckets }) }))
  const gauge = (name: string, help: string): InstanceType<PromClient['Gauge']> =>
    add(name, () => new prom.Gauge({ name, help, registers }))

  const apiRequests = counter('pusher_api_requests_total', 'Pusher API call attempts, by operation and status (the server\'s, or timeout, unreachable, closed).', ['operation', 'status'])
  const apiDuration = histogram('pusher_api_request_duration_seconds', 'Duration of each Pusher API call attempt.', ['operation'])
  const apiRetries = counter('pusher_api_retries_total', 'Pusher API call attempts after the first.', ['operation'])
  const eventsSent = counter('pusher_events_sent_total', 'Events the Pusher API accepted.')
  const inFlight = gauge('pusher_trigger_in_flight', 'Pusher API call attempts under way.')
  const queueDepth = gauge('pusher_trigger_queue_depth', 'Triggers waiting in memory to be sent, at the last flush.')
  const batchSize = histogram('pusher_trigger_batch_size', 'Events per auto-batched batch_events call.', [], [1, 2, 5, 10, 20, 50, 100])
  const batchWait = histogram('pusher_trigger_queue_wait_seconds', 'Time an auto-batched batch waited before it was handed to the API.', [], [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1])
  const authDecisions = counter('pusher_auth_decisions_total', 'Channel authorizations and user sign-ins, by route, channel type (user for a sign-in) and result.', ['route', 'type', 'result'])
  const authDuration = histogram('pusher_auth_duration_seconds', 'Duration of each channel authorization or sign-in.', ['route', 'type'])
  const deliveries = counter('pusher_webhook_deliveries_total', 'Verified webhook deliveries, by route and outcome.', ['route', 'outcome'])
  const deliveryDuration = histogram('pusher_webhook_duration_seconds', 'Duration of each webhook delivery, from dispatch to the answer.', ['route'])
  const dedupeDuration = histogram('pusher_webhook_dedupe_seconds', 'Time each delivery spent in the dedupe store.', [], [0.0001, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25])
  const webhookEvents = counter('pusher_webhook_events_total', 'Webhook events, by name and outcome.', ['event', 'outcome'])
  const queueOperations = counter('pusher_queue_operations_total', 'Durable queue operations (enqueue, job attempts), by outcome.', ['operation', 'outcome'])
  const queueWait = histogram('pusher_queue_wait_seconds', 'Time between enqueueing and a job attempt.', [], [0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30, 60, 300, 3600])

  const unsubscribe = subscribeMetrics({
    api: (message, seconds) => {
      const status = message.status !== undefined ? String(message.status) : STATUS_OF_CODE[message.errorCode as string] ?? 'error'
      apiRequests.inc({ operation: message.kind, status })
      apiDuration.observe({ operation: message.kind }, seconds)
      if (message.attempt > 1) apiRetries.inc({ operation: message.kind })
      if (message.errorCode === undefined && message.events > 0) eventsSent.inc(message.events)
    },
    apiInFlight: (delta) => { inFlight.inc(delta) },
    auth: (message, seconds) => {
      authDecisions.inc({ route: message.route, type: message.type, result: message.result })
      authDuration.observe({ route: message.route, type: message.type }, seconds)
    },
    webhook: (message, seconds) => {
      deliveries.inc({ route: message.route, outcome: message.outcome })
      deliveryDuration.observe({ route: message.route }, seconds)
      if (message.storeMs !== undefined) dedupeDuration.observe(message.storeMs / 1000)
    },
    webhookEvent: (message) => { webhookEvents.inc({ event: message.event, outcome: message.outcome }) },
    queue: (message) => {
      queueOperations.inc({ operation: message.operation, outcome: message.outcome })
      if (message.waitMs !== undefined) queueWait.observe(message.waitMs / 1000)
    },
    batch: (message) => {
      batchSize.observe(message.size)
      batchWait.observe(message.waitMs / 1000)
      queueDepth.set(message.queued)
    }
  })
  return {
    close: () => {
      unsubscribe()
      for (const name of names.splice(0)) registry.removeSingleMetric(name)
    }
  }
}
/** How prom-client is loaded (a test makes it missing). */
prometheusMetrics.load = require as (name: string) => unknown
