import type { PusherWebhookMessage, PusherWebhookOutcome } from '../../types/telemetry'
import { WebhookInProgressError } from '../errors'
import type { DispatchReport } from '../webhooks/dispatch'
import { eventCategory, type WireEvent } from '../webhooks/events'
import { webhookEventChannel } from './channels'
import { errorCode } from './trace'

/** The worse of two outcomes wins: failed, then in-progress, then handled, then duplicate. */
const RANK: Record<PusherWebhookOutcome, number> = { duplicate: 0, handled: 1, 'in-progress': 2, failed: 3 }
const worse = (a: PusherWebhookOutcome | undefined, b: PusherWebhookOutcome): PusherWebhookOutcome =>
  a === undefined || RANK[b] > RANK[a] ? b : a

/**
 * Each event's outcome, by its index, from the units it belongs to (its `on` unit, its category's
 * unit): a unit done before is a duplicate; one another request runs (or that this one released
 * for that reason) is in progress; one whose handlers failed, or that never ran (the store failed
 * first), is failed; else handled.
 */
function eventOutcomes (events: readonly WireEvent[], report: DispatchReport): Map<number, PusherWebhookOutcome> {
  const outcomes = new Map<number, PusherWebhookOutcome>()
  const work = report.work
  const anyRunning = report.states?.includes('running') === true
  const categoryCount = work.categoryUnits.length
  for (let u = 0; u < work.ids.length; u++) {
    const state = report.states?.[u] ?? 'claimed'
    const outcome: PusherWebhookOutcome = state === 'done'
      ? 'duplicate'
      : state === 'running' || anyRunning ? 'in-progress' : !report.ran || report.failedIds.includes(work.ids[u]) ? 'failed' : 'handled'
    if (u >= categoryCount) {
      const index = work.eventIndexes[u - categoryCount]
      outcomes.set(index, worse(outcomes.get(index), outcome))
      continue
    }
    const names: readonly string[] = work.categoryUnits[u].category.events
    events.forEach((event, index) => { if (names.includes(event.name)) outcomes.set(index, worse(outcomes.get(index), outcome)) })
  }
  return outcomes
}

/**
 * A traced delivery, done: its outcome and store time on the message, and, for a subscriber of
 * `fastify-pusher.webhook.event`, one message per event the route handed to the app (or skipped).
 */
export function settleWebhook (message: PusherWebhookMessage, failure: { error: unknown } | undefined, events: readonly WireEvent[], report: DispatchReport): void {
  const outcomes = eventOutcomes(events, report)
  let outcome: PusherWebhookOutcome | undefined
  for (const each of outcomes.values()) outcome = worse(outcome, each)
  if (failure !== undefined) {
    outcome = failure.error instanceof WebhookInProgressError ? 'in-progress' : 'failed'
    message.errorCode = errorCode(failure.error)
  }
  message.outcome = outcome ?? 'handled'
  if (report.storeMs !== undefined) message.storeMs = report.storeMs
  if (!webhookEventChannel.hasSubscribers) return
  for (const [index, each] of outcomes) {
    const name = events[index].name
    webhookEventChannel.publish({ route: message.route, event: eventCategory(name) === undefined ? 'other' : name, outcome: each })
  }
}
