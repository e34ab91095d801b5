import { channel, tracingChannel, type Channel, type TracingChannel } from 'node:diagnostics_channel'
import type {
  PusherApiMessage, PusherAuthMessage, PusherBatchMessage, PusherQueueMessage, PusherWebhookEventMessage, PusherWebhookMessage
} from '../../types/telemetry'

/** The names of the channels the plugin publishes on: a public contract (README, "Observability"). */
export const diagnosticChannels = Object.freeze({
  /** Tracing channel: each API call attempt. */
  api: 'fastify-pusher.api',
  /** Tracing channel: each channel authorization and user sign-in. */
  auth: 'fastify-pusher.auth',
  /** Tracing channel: each verified webhook delivery. */
  webhook: 'fastify-pusher.webhook',
  /** Plain channel: each event of a delivery, once it is done. */
  webhookEvent: 'fastify-pusher.webhook.event',
  /** Tracing channel: enqueueing, and each attempt of a worker's job. */
  queue: 'fastify-pusher.queue',
  /** Plain channel: each batch of auto-batched triggers handed to the API. */
  batch: 'fastify-pusher.batch'
} as const)

export type Tracing<Message extends object> = TracingChannel<unknown, Message>

export const apiChannel: Tracing<PusherApiMessage> = tracingChannel(diagnosticChannels.api)
export const authChannel: Tracing<PusherAuthMessage> = tracingChannel(diagnosticChannels.auth)
export const webhookChannel: Tracing<PusherWebhookMessage> = tracingChannel(diagnosticChannels.webhook)
export const queueChannel: Tracing<PusherQueueMessage> = tracingChannel(diagnosticChannels.queue)
export const webhookEventChannel = channel(diagnosticChannels.webhookEvent) as Channel<unknown, PusherWebhookEventMessage>
export const batchChannel = channel(diagnosticChannels.batch) as Channel<unknown, PusherBatchMessage>

/**
 * Whether anyone listens on a tracing channel: checked before a message is built. (Node's own
 * `TracingChannel#hasSubscribers` came in 20.13; the plugin supports 20.12.)
 */
export function isTraced (traced: Tracing<object>): boolean {
  return traced.start.hasSubscribers || traced.end.hasSubscribers || traced.asyncStart.hasSubscribers ||
    traced.asyncEnd.hasSubscribers || traced.error.hasSubscribers
}
