// The public contract of what the plugin publishes on `node:diagnostics_channel`: the channel names
// (`diagnosticChannels`) and the messages. Messages carry metadata only: never event data, a secret,
// a signature, a request URL, a socket id or an error object (only its code).
//
// Every operation on a tracing channel publishes `start` and `end`, then `asyncStart` and `asyncEnd`
// once it has completed (right after `end` when it completed synchronously), with `error` before them
// when it failed: a subscriber times an operation from `start` to `asyncEnd`. Fields marked "set when
// done" are on the message by `asyncStart`.

/** What an API call was: the first path segment under /apps/{appId}. */
export type PusherApiKind = 'events' | 'batch_events' | 'users' | 'channels' | 'other'

/** `fastify-pusher.api`: one attempt of one API call (a retry is a new operation, `attempt` 2, 3, ...). */
export interface PusherApiMessage {
  method: 'GET' | 'POST'
  kind: PusherApiKind
  /** Events in the body (0 for a query). */
  events: number
  /** Distinct channels in the body (0 for a query). */
  channels: number
  /** Bytes of the body sent (0 for a GET). */
  bytes: number
  /** 1 for the first attempt. */
  attempt: number
  /** Set when done: the status the server answered with (soketi's `code` for an error it answers with a 200). */
  status?: number
  /** Set when failed: the FST_PUSHER_* code of the error. */
  errorCode?: string
}

/** The decision of an authorization: `refused` a 4xx (the rule or handler said no), `error` a failure. */
export type PusherAuthResult = 'allowed' | 'refused' | 'error' | 'timeout'

/** `fastify-pusher.auth`: one channel authorization (each channel of a batch on its own) or one user sign-in. */
export interface PusherAuthMessage {
  /** The route's URL as declared, e.g. `/pusher/auth`. */
  route: string
  /** The channel's type, or `user` for a sign-in. */
  type: 'private' | 'presence' | 'encrypted' | 'user'
  /** The pattern of the channel rule that decided; undefined when the auth handler (or the userAuth handler) did. */
  pattern?: string
  /** Set when done. */
  result?: PusherAuthResult
  /** Set when failed (`refused`, `error`, `timeout`): the error's code. */
  errorCode?: string
}

/** What became of a webhook event (or of a delivery, taken whole). */
export type PusherWebhookOutcome = 'handled' | 'duplicate' | 'failed' | 'in-progress'

/** `fastify-pusher.webhook`: one verified delivery, from dispatch to the answer. */
export interface PusherWebhookMessage {
  /** The route's URL as declared, e.g. `/pusher/webhooks/events`. */
  route: string
  /** Events in the delivery. */
  events: number
  /** Set when done: `failed` when a handler failed, `in-progress` (409) when another request holds some of its events. */
  outcome?: PusherWebhookOutcome
  /** Set when done: ms spent in the dedupe store, its failed calls included; undefined when none was made (no dedupe). */
  storeMs?: number
  /** Set when failed: the error's code. */
  errorCode?: string
}

/**
 * `fastify-pusher.webhook.event` (a plain channel): one event of a delivery that this route handed to
 * the app (or skipped), published once the delivery is done. `event` is Pusher's event name
 * (`member_added`, `client_event`, ...; `other` for a name Pusher does not document).
 */
export interface PusherWebhookEventMessage {
  route: string
  event: string
  outcome: PusherWebhookOutcome
}

/** `fastify-pusher.queue`: enqueueing (`enqueue`) or one attempt of a worker's job (`job`). */
export interface PusherQueueMessage {
  operation: 'enqueue' | 'job'
  /** Events in the jobs enqueued, or in the job. */
  events: number
  /** `job`: 1 for the first attempt. */
  attempt?: number
  /** `job`: ms between enqueueing and this attempt. */
  waitMs?: number
  /** Set when done: `job` sent, split into a job per event (one was refused), retried later, failed for good, expired, or held while the API refuses the credentials (`paused`); `enqueue` stored or failed. */
  outcome?: 'stored' | 'sent' | 'split' | 'retry' | 'failed' | 'expired' | 'paused'
  /** Set when failed: the error's code. */
  errorCode?: string
}

/** `fastify-pusher.batch` (a plain channel): a batch of auto-batched triggers handed to the API. */
export interface PusherBatchMessage {
  /** Events in the batch. */
  size: number
  /** ms between the batch's first event and its hand-over. */
  waitMs: number
  /** Events still waiting to be sent after this one (the trigger queue's depth). */
  queued: number
  /** `batch_events` calls in flight, this one included. */
  inFlight: number
}

/** What `openTelemetry()` (`fastify-pusher/otel`) and `prometheusMetrics()` (`fastify-pusher/prometheus`) return. */
export interface PusherTelemetry {
  /** Stops recording: unsubscribes from every channel (and, for Prometheus, removes the metrics from the registry). */
  close: () => void
}
