import type { FastifyRequest } from 'fastify'
import type { MaybePromise } from '../../types/index'
import { callHandler, handlerError, isPromiseLike, then } from '../call-handler'
import { DedupeStoreError, WebhookInProgressError } from '../errors'
import type { WebhookDedupeStore } from './dedupe/store'
import { CATEGORIES, eventCategory, type Category, type WireEvent } from './events'
import type { WebhookHandlers } from './handlers'

export interface Delivery {
  time_ms: number
  events: WireEvent[]
}

export interface Dedupe {
  store: WebhookDedupeStore
  /** How long a piece of work stays done (and is skipped when the delivery comes again). */
  ttlMs: number
  /** How long a claim holds while a request works on it. */
  lockMs: number
}

/**
 * The work a route has for a delivery, compact (a delivery may hold hundreds of events:
 * no object, string or closure per event). Units in order: the category units, then
 * the event units; `ids[u]` names unit `u` in the dedupe store (a category's path, an
 * event's index).
 */
interface Work {
  ids: string[]
  /** Units 0 .. categoryUnits.length - 1: a category handler with its category's events. */
  categoryUnits: Array<{ category: Category, handler: Function, payload: Delivery }>
  /** Per event unit (unit `categoryUnits.length + k`): the event's index, and its `on` handlers. */
  eventIndexes: number[]
  lists: Array<readonly Function[]>
}

/** An event unit's id, its index as text: made once per index, not once per delivery. */
const INDEX_IDS: string[] = []
const MAX_CACHED_INDEX = 10_000
function indexId (index: number): string {
  if (index >= MAX_CACHED_INDEX) return String(index)
  while (INDEX_IDS.length <= index) INDEX_IDS.push(String(INDEX_IDS.length))
  return INDEX_IDS[index]
}

/** Runs unit `u` of `work`: synchronously while its handlers answer synchronously. */
function runUnit (request: FastifyRequest, work: Work, u: number, delivery: Delivery): MaybePromise<unknown> {
  const categoryUnits = work.categoryUnits
  if (u < categoryUnits.length) {
    const { category, handler, payload } = categoryUnits[u]
    return callHandler(`${category.handler} webhook`, handler as (a: unknown, b: unknown) => unknown, request, payload)
  }
  const k = u - categoryUnits.length
  return runEach(work.lists[k], 0, request, delivery.events[work.eventIndexes[k]], delivery)
}

const handlerNames = new Map<string, string>()
/** `webhooks.on('name')`, the name a failure is reported under (made once per event name). */
const onHandlerName = (event: string): string => {
  let name = handlerNames.get(event)
  if (name === undefined) {
    name = `webhooks.on('${event.slice(0, 64)}')`
    if (handlerNames.size < 1000) handlerNames.set(event, name)
  }
  return name
}

/**
 * Calls `list[from..]` one after the other: synchronously while they answer
 * synchronously. (Not callHandler: the name a failure is reported under is only made
 * when one fails.)
 */
function runEach (list: readonly Function[], from: number, request: FastifyRequest, event: WireEvent, delivery: Delivery): MaybePromise<unknown> {
  for (let i = from; i < list.length; i++) {
    let result: unknown
    try {
      result = (list[i] as (a: unknown, b: unknown, c: unknown) => unknown)(request, event, delivery)
    } catch (error) {
      throw handlerError(onHandlerName(event.name), error)
    }
    if (isPromiseLike(result)) {
      return Promise.resolve(result).then(() => runEach(list, i + 1, request, event, delivery), (error: unknown) => {
        throw handlerError(onHandlerName(event.name), error)
      })
    }
  }
  return undefined
}

/**
 * The work a route has for a delivery, in order: each category handler of the route's
 * categories once (with that category's events), then each event of those categories,
 * in payload order, with its `on` handlers (`'*'` ones included) in the order added.
 * `categories` undefined: every category, and events of unknown names (`'*'` only).
 */
function workOf (request: FastifyRequest, handlers: WebhookHandlers, categories: readonly Category[] | undefined, delivery: Delivery): Work {
  const work: Work = { ids: [], categoryUnits: [], eventIndexes: [], lists: [] }
  for (const category of categories ?? CATEGORIES) addCategoryUnit(work, handlers, category, delivery)
  const names = categories === undefined ? undefined : namesOf(categories)
  const { events } = delivery
  // Deliveries mostly repeat one name: what a name means is looked up when it changes.
  let name: string | undefined
  let list: readonly Function[] = []
  let wanted = false
  let known = false
  for (let index = 0; index < events.length; index++) {
    const event = events[index]
    if (event.name !== name) {
      name = event.name
      list = handlers.forEvent(name)
      known = eventCategory(name) !== undefined
      // Another route's event is skipped: a batch posted to every URL reaches each handler once.
      wanted = names === undefined || names.has(name)
    }
    if (wanted && list.length > 0) {
      work.ids.push(indexId(index))
      work.eventIndexes.push(index)
      work.lists.push(list)
    } else if (!known) {
      ignoreUnknown(request, event)
    }
  }
  return work
}

const ignoreUnknown = (request: FastifyRequest, event: WireEvent): void => {
  request.log.debug({ event: event.name.slice(0, 64) }, 'fastify-pusher: a webhook event of an unknown name was ignored')
}

const routeNames = new WeakMap<readonly Category[], ReadonlySet<string>>()
/** The event names of a route's categories (made once per route). */
function namesOf (categories: readonly Category[]): ReadonlySet<string> {
  let names = routeNames.get(categories)
  if (names === undefined) {
    names = new Set(categories.flatMap((category) => category.events))
    routeNames.set(categories, names)
  }
  return names
}

function addCategoryUnit (work: Work, handlers: WebhookHandlers, category: Category, delivery: Delivery): void {
  const handler = handlers.category[category.handler]
  if (handler === undefined) return
  const events = delivery.events.filter((event) => (category.events as readonly string[]).includes(event.name))
  if (events.length === 0) return
  work.ids.push(category.path)
  work.categoryUnits.push({ category, handler, payload: { time_ms: delivery.time_ms, events } })
}

/** The work of the units `keep` says, in the same order (rare: only when some were done or are running). */
function subset (work: Work, keep: (u: number) => boolean): Work {
  const kept: Work = { ids: [], categoryUnits: [], eventIndexes: [], lists: [] }
  const categoryCount = work.categoryUnits.length
  for (let u = 0; u < work.ids.length; u++) {
    if (!keep(u)) continue
    kept.ids.push(work.ids[u])
    if (u < categoryCount) kept.categoryUnits.push(work.categoryUnits[u])
    else {
      kept.eventIndexes.push(work.eventIndexes[u - categoryCount])
      kept.lists.push(work.lists[u - categoryCount])
    }
  }
  return kept
}

interface Outcome {
  /** The units that failed (empty when all succeeded). */
  failed: number[]
  /** The first failure; later ones are logged. */
  failure: { error: unknown } | undefined
}

/** Runs units `from..` of `work` one after the other, each to the end, failed or not: synchronously while the handlers are. */
function runUnits (request: FastifyRequest, work: Work, delivery: Delivery, from = 0, outcome: Outcome = { failed: [], failure: undefined }): MaybePromise<Outcome> {
  const failed = (u: number, error: unknown): void => {
    outcome.failed.push(u)
    if (outcome.failure === undefined) outcome.failure = { error }
    else request.log.error({ err: error }, 'fastify-pusher: a webhook handler failed')
  }
  for (let u = from; u < work.ids.length; u++) {
    let result: unknown
    try {
      result = runUnit(request, work, u, delivery)
    } catch (error) {
      failed(u, error)
      continue
    }
    if (isPromiseLike(result)) {
      return Promise.resolve(result).then(undefined, (error: unknown) => { failed(u, error) })
        .then(() => runUnits(request, work, delivery, u + 1, outcome))
    }
  }
  return outcome
}

const throwFailure = (outcome: Outcome): void => {
  if (outcome.failure !== undefined) throw outcome.failure.error
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
  dedupe: { dedupe: Dedupe, deliveryId: string } | undefined
): MaybePromise<void> {
  const work = workOf(request, handlers, categories, delivery)
  if (work.ids.length === 0) return
  if (dedupe === undefined) return then(runUnits(request, work, delivery), throwFailure)
  const { store, lockMs, ttlMs } = dedupe.dedupe
  const id = dedupe.deliveryId
  return then(storeCall(() => store.claim(id, work.ids, lockMs)), (states) => {
    // Mostly a new delivery: every unit claimed, the work as it is.
    const claimed = states.every((state) => state === 'claimed') ? work : subset(work, (u) => states[u] === 'claimed')
    if (states.includes('running')) {
      return then(releaseClaims(request, store, id, claimed.ids), () => { throw new WebhookInProgressError() })
    }
    return then(runUnits(request, claimed, delivery), (outcome) => {
      const { failed } = outcome
      const succeeded = failed.length === 0 ? claimed.ids : claimed.ids.filter((_, u) => !failed.includes(u))
      return then(markDone(request, store, id, succeeded, ttlMs), () =>
        then(releaseClaims(request, store, id, failed.map((u) => claimed.ids[u])), () => { throwFailure(outcome) }))
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
