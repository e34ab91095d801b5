/**
 * What a job holds in Redis: one API call's events, already checked and serialized, and when they
 * were first enqueued. Never a secret (the worker signs with its own credentials) and never a URL.
 */
export interface QueuedEvent {
  channel: string
  name: string
  /** The serialized data, as `trigger` sends it. */
  data: string
  socket_id?: string
  /** The event's id: `{jobId}-{index}` for the job that first stored it. */
  id?: string
}

/** Tenants: whose app the job's events are for, by app id (the worker finds its credentials by it). */
interface OfApp { appId?: string }

export type JobData =
  /** Events of a `batch_events` call (at most batchSize). */
  | { kind: 'batch', events: QueuedEvent[], enqueuedAt: number, tries?: number } & OfApp
  /** An event to a signed-in user. */
  | { kind: 'user', userId: string, name: string, data: string, enqueuedAt: number, tries?: number } & OfApp

/** The id of the event at `index` of job `jobId`. */
export const eventId = (jobId: string, index: number): string => `${jobId}-${index}`
