import type { ChannelType } from '../../types/index'
import type { PusherApiKind, PusherApiMessage, PusherAuthMessage, PusherBatchMessage, PusherWebhookMessage, PusherQueueMessage } from '../../types/telemetry'
import type { DispatchReport } from '../webhooks/dispatch'

// The messages the plugin publishes, built here only, and only once a subscriber listens (the callers
// check `isTraced` first; test/telemetry/no-subscriber.test.ts holds them to it).

const KINDS: ReadonlySet<string> = new Set(['events', 'batch_events', 'users', 'channels'])

/** One API call attempt: what it sends, counted from the body the official client built. */
export function apiMessage (method: 'GET' | 'POST', path: string, body: object | undefined, bytes: number, attempt: number): PusherApiMessage {
  const segment = path.slice(1).split('/', 1)[0]
  const kind = (KINDS.has(segment) ? segment : 'other') as PusherApiKind
  const { name, channels, batch } = (body ?? {}) as { name?: unknown, channels?: unknown[], batch?: Array<{ channel?: unknown }> }
  const events = Array.isArray(batch) ? batch.length : name === undefined ? 0 : 1
  const channelCount = Array.isArray(batch) ? new Set(batch.map((event) => event.channel)).size : Array.isArray(channels) ? channels.length : 0
  return { method, kind, events, channels: channelCount, bytes, attempt }
}

export function authMessage (route: string, type: ChannelType | 'user', pattern: string | undefined): PusherAuthMessage {
  return pattern === undefined ? { route, type } : { route, type, pattern }
}

export function webhookMessage (route: string, events: number): PusherWebhookMessage {
  return { route, events }
}

export function queueMessage (operation: 'enqueue' | 'job', events: number, job?: { attempt: number, enqueuedAt: number }): PusherQueueMessage {
  return job === undefined ? { operation, events } : { operation, events, attempt: job.attempt, waitMs: Math.max(0, Date.now() - job.enqueuedAt) }
}

/** What a traced webhook dispatch fills in. */
export function dispatchReport (): DispatchReport {
  return { work: { ids: [], categoryUnits: [], eventIndexes: [], lists: [] }, ran: false, failedIds: [] }
}

/** When a batch's first event came (for its wait). */
export function batchOpenedAt (): number {
  return performance.now()
}

/** A batch handed to the API: its size, its wait, the events still waiting behind it, the calls in flight. */
export function batchMessage (size: number, openedAt: number, queued: number, inFlight: number): PusherBatchMessage {
  return { size, waitMs: openedAt === 0 ? 0 : performance.now() - openedAt, queued, inFlight }
}
