import type {
  PusherApiMessage, PusherAuthMessage, PusherBatchMessage, PusherQueueMessage, PusherWebhookEventMessage, PusherWebhookMessage
} from '../../types/telemetry'
import { apiChannel, authChannel, batchChannel, queueChannel, webhookChannel, webhookEventChannel, type Tracing } from './channels'

/**
 * What the metrics adapters (OpenTelemetry, Prometheus) record, fed from the channels by
 * `subscribeMetrics`: each operation once it has completed, with its duration in seconds.
 */
export interface MetricSink {
  api: (message: PusherApiMessage, seconds: number) => void
  /** An API call attempt started (+1) or completed (-1). */
  apiInFlight: (delta: 1 | -1) => void
  auth: (message: PusherAuthMessage, seconds: number) => void
  webhook: (message: PusherWebhookMessage, seconds: number) => void
  webhookEvent: (message: PusherWebhookEventMessage) => void
  queue: (message: PusherQueueMessage, seconds: number) => void
  batch: (message: PusherBatchMessage) => void
}

/** Subscribes `sink` to every channel of the plugin; returns the unsubscribe. Operations are timed from `start` to `asyncEnd`. */
export function subscribeMetrics (sink: MetricSink): () => void {
  const undo: Array<() => void> = []
  const timed = <Message extends object>(channel: Tracing<Message>, record: (message: Message, seconds: number) => void, onStart?: () => void): void => {
    const started = new WeakMap<object, number>()
    const handlers = {
      start: (message: Message) => {
        started.set(message, performance.now())
        onStart?.()
      },
      asyncEnd: (message: Message) => {
        const at = started.get(message)
        if (at === undefined) return // started before this subscriber was
        started.delete(message)
        record(message, (performance.now() - at) / 1000)
      }
    }
    channel.subscribe(handlers as Parameters<typeof channel.subscribe>[0])
    undo.push(() => { channel.unsubscribe(handlers as Parameters<typeof channel.subscribe>[0]) })
  }
  const plain = <Message>(channel: { subscribe: (fn: (message: unknown) => void) => void, unsubscribe: (fn: (message: unknown) => void) => unknown }, record: (message: Message) => void): void => {
    const handler = (message: unknown): void => { record(message as Message) }
    channel.subscribe(handler)
    undo.push(() => { channel.unsubscribe(handler) })
  }
  timed(apiChannel, (message, seconds) => {
    sink.apiInFlight(-1)
    sink.api(message, seconds)
  }, () => { sink.apiInFlight(1) })
  timed(authChannel, sink.auth)
  timed(webhookChannel, sink.webhook)
  timed(queueChannel, sink.queue)
  plain(webhookEventChannel, sink.webhookEvent)
  plain(batchChannel, sink.batch)
  return () => { for (const each of undo.splice(0)) each() }
}
