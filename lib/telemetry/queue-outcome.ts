import type { PusherQueueMessage } from '../../types/telemetry'
import { errorCode } from './trace'

/** What the worker decided for a job's attempt, noted as it decides (only when traced). */
export interface JobNote {
  outcome?: 'split' | 'failed' | 'expired' | 'paused' | 'retry'
  /** The API's error that led to it. */
  cause?: unknown
}

/**
 * A job's attempt, done: sent, split into a job per event, retried later, paused, failed or expired.
 * (The worker notes an outcome, and the API's error, on every path that fails: none noted is sent.)
 */
export function settleJob (message: PusherQueueMessage, failure: { error: unknown } | undefined, note: JobNote): void {
  message.outcome = note.outcome ?? 'sent'
  // A split attempt succeeded (its events are jobs of their own now): no error code.
  if (failure === undefined) return
  message.errorCode = note.outcome === 'expired' ? 'FST_PUSHER_QUEUE_EXPIRED' : errorCode(note.cause)
}

/** Enqueueing, done: stored, or failed (FST_PUSHER_QUEUE_UNAVAILABLE). */
export function settleEnqueue (message: PusherQueueMessage, failure: { error: unknown } | undefined): void {
  message.outcome = failure === undefined ? 'stored' : 'failed'
  if (failure !== undefined) message.errorCode = errorCode(failure.error)
}
