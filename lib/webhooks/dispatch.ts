import type { FastifyRequest } from 'fastify'
import type { MaybePromise } from '../../types/index'
import { isPromiseLike, then } from '../call-handler'
import { DedupeStoreError, WebhookInProgressError } from '../errors'
import type { ClaimState, WebhookDedupeStore } from '../../types/dedupe-store'
import type { Category } from './events'
import type { WebhookHandlers } from './handlers'
import { runUnits, type Outcome } from './run-units'
import { subset, workOf, type Delivery, type Work } from './work'

export type { Delivery } from './work'

export interface Dedupe {
  store: WebhookDedupeStore
  /** How long a piece of work stays done (and is skipped when the delivery comes again). */
  ttlMs: number
  /** How long a claim holds while a request works on it. */
  lockMs: number
}

const throwFailure = (outcome: Outcome): void => {
  if (outcome.failure !== undefined) throw outcome.failure.error
}

/**
 * What a traced dispatch reports (only when a subscriber listens): the work, each unit's claim state
 * (all `claimed` without dedupe), whether the handlers ran, the ids of the units that failed, and the
 * ms spent in the store (undefined when none was asked).
 */
export interface DispatchReport {
  work: Work
  states?: readonly ClaimState[]
  ran: boolean
  failedIds: string[]
  storeMs?: number
}

/** `call`, its time (until it settled, failed or not) added to `report.storeMs` when there is a report. */
function timed<T> (report: DispatchReport | undefined, call: () => MaybePromise<T>): MaybePromise<T> {
  if (report === undefined) return call()
  const started = performance.now()
  const add = (): void => { report.storeMs = (report.storeMs ?? 0) + performance.now() - started }
  let result: MaybePromise<T>
  try {
    result = call()
  } catch (error) {
    add()
    throw error
  }
  if (isPromiseLike(result)) return Promise.resolve(result).finally(add)
  add()
  return result
}

/**
 * Runs a verified delivery's work. Without dedupe, every unit runs. With it, each unit
 * is claimed first (in the delivery's id): one done before is skipped, one another
 * request is running makes this a 409; a unit whose handlers all succeeded is marked
 * done, one that failed is released, so that Pusher's retry runs only what failed. A
 * failure does not stop the units after it; the first failure is thrown at the end.
 * Synchronous while the store and the handlers are: no promise, no extra tick.
 */
export function dispatchDelivery (
  request: FastifyRequest,
  handlers: WebhookHandlers,
  categories: readonly Category[] | undefined,
  delivery: Delivery,
  dedupe: { dedupe: Dedupe, deliveryId: string } | undefined,
  report?: DispatchReport
): MaybePromise<void> {
  const work = workOf(request, handlers, categories, delivery)
  if (report !== undefined) report.work = work
  if (work.ids.length === 0) return
  const run = (units: Work): MaybePromise<Outcome> => {
    if (report === undefined) return runUnits(request, units, delivery)
    report.ran = true
    return then(runUnits(request, units, delivery), (outcome) => {
      report.failedIds = outcome.failed.map((u) => units.ids[u])
      return outcome
    })
  }
  if (dedupe === undefined) return then(run(work), throwFailure)
  const { store, lockMs, ttlMs } = dedupe.dedupe
  const id = dedupe.deliveryId
  return then(timed(report, () => storeCall(() => store.claim(id, work.ids, lockMs))), (states) => {
    if (report !== undefined) report.states = states
    // Mostly a new delivery: every unit claimed, the work as it is.
    const claimed = states.every((state) => state === 'claimed') ? work : subset(work, (u) => states[u] === 'claimed')
    if (states.includes('running')) {
      return then(timed(report, () => releaseClaims(request, store, id, claimed.ids)), () => { throw new WebhookInProgressError() })
    }
    return then(run(claimed), (outcome) => {
      const { failed } = outcome
      const succeeded = failed.length === 0 ? claimed.ids : claimed.ids.filter((_, u) => !failed.includes(u))
      return then(timed(report, () => markDone(request, store, id, succeeded, ttlMs)), () =>
        then(timed(report, () => releaseClaims(request, store, id, failed.map((u) => claimed.ids[u]))), () => { throwFailure(outcome) }))
    })
  })
}

/** A store call; its failure (thrown or rejected) becomes FST_PUSHER_WEBHOOK_DEDUPE_FAILED. */
function storeCall<T> (call: () => MaybePromise<T>): MaybePromise<T> {
  const failed = (error: unknown): never => { throw new DedupeStoreError({ cause: error }) }
  try {
    const result = call()
    return isPromiseLike(result) ? Promise.resolve(result).catch(failed) : result
  } catch (error) {
    return failed(error)
  }
}

/** Logs instead of throwing: what to do when the store fails after the handlers ran. */
function logFailure (request: FastifyRequest, message: string, call: () => MaybePromise<void>): MaybePromise<void> {
  const log = (error: unknown): void => { request.log.error({ err: error }, message) }
  try {
    const result = call()
    if (isPromiseLike(result)) return Promise.resolve(result).catch(log)
  } catch (error) {
    log(error)
  }
}

// The handlers succeeded: answer as they did. A retry (if any) would run them again.
const markDone = (request: FastifyRequest, store: WebhookDedupeStore, deliveryId: string, units: string[], ttlMs: number): MaybePromise<void> =>
  units.length === 0 ? undefined : logFailure(request, 'fastify-pusher: the webhook dedupe store could not mark events done', () => store.done(deliveryId, units, ttlMs))

// The claims expire after lockMs: until then a retry is answered 409.
const releaseClaims = (request: FastifyRequest, store: WebhookDedupeStore, deliveryId: string, units: string[]): MaybePromise<void> =>
  units.length === 0 ? undefined : logFailure(request, 'fastify-pusher: the webhook dedupe store could not release claims', () => store.release(deliveryId, units))
