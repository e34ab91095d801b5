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

/** One piece of work of a delivery: a category handler, or every `on` handler of one event. */
interface Unit {
  /** Unique within the delivery: the category path, or the event's index. */
  id: string
  /** The `on` handlers of `event`, or the category handler with its events. */
  list: readonly Function[]
  event: WireEvent | undefined
  category: Category | undefined
  payload: Delivery
}

/** Runs a unit's handlers: synchronously while they answer synchronously. */
const runUnit = (request: FastifyRequest, unit: Unit, delivery: Delivery): MaybePromise<unknown> =>
  unit.category === undefined
    ? runEach(unit.list, 0, request, unit.event as WireEvent, delivery)
    : callHandler(`${unit.category.handler} webhook`, unit.list[0] as (a: unknown, b: unknown) => unknown, request, unit.payload)

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
function unitsOf (request: FastifyRequest, handlers: WebhookHandlers, categories: readonly Category[] | undefined, delivery: Delivery): Unit[] {
  const units: Unit[] = []
  for (const category of categories ?? CATEGORIES) addCategoryUnit(units, request, handlers, category, delivery)
  const names = categories === undefined ? undefined : namesOf(categories)
  const { events } = delivery
  for (let index = 0; index < events.length; index++) {
    const event = events[index]
    const list = handlers.forEvent(event.name)
    // Another route's event is skipped: a batch posted to every URL reaches each handler once.
    if (names !== undefined && !names.has(event.name)) {
      if (eventCategory(event.name) === undefined) ignoreUnknown(request, event)
      continue
    }
    if (list.length > 0) units.push({ id: String(index), list, event, category: undefined, payload: delivery })
    else if (names === undefined && eventCategory(event.name) === undefined) ignoreUnknown(request, event)
  }
  return units
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

function addCategoryUnit (units: Unit[], request: FastifyRequest, handlers: WebhookHandlers, category: Category, delivery: Delivery): void {
  const handler = handlers.category[category.handler]
  if (handler === undefined) return
  const events = delivery.events.filter((event) => (category.events as readonly string[]).includes(event.name))
  if (events.length === 0) return
  units.push({ id: category.path, list: [handler], event: undefined, category, payload: { time_ms: delivery.time_ms, events } })
}

interface Outcome {
  succeeded: string[]
  failed: string[]
  /** The first failure; later ones are logged. */
  failure: { error: unknown } | undefined
}

/** Runs `units[from..]` one after the other, each to the end, failed or not: synchronously while the handlers are. */
function runUnits (request: FastifyRequest, units: Unit[], delivery: Delivery, from = 0, outcome: Outcome = { succeeded: [], failed: [], failure: undefined }): MaybePromise<Outcome> {
  const failed = (unit: Unit, error: unknown): void => {
    outcome.failed.push(unit.id)
    if (outcome.failure === undefined) outcome.failure = { error }
    else request.log.error({ err: error }, 'fastify-pusher: a webhook handler failed')
  }
  for (let i = from; i < units.length; i++) {
    const unit = units[i]
    let result: unknown
    try {
      result = runUnit(request, unit, delivery)
    } catch (error) {
      failed(unit, error)
      continue
    }
    if (isPromiseLike(result)) {
      return Promise.resolve(result).then(() => { outcome.succeeded.push(unit.id) }, (error: unknown) => { failed(unit, error) })
        .then(() => runUnits(request, units, delivery, i + 1, outcome))
    }
    outcome.succeeded.push(unit.id)
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
  const units = unitsOf(request, handlers, categories, delivery)
  if (units.length === 0) return
  if (dedupe === undefined) return then(runUnits(request, units, delivery), throwFailure)
  const { store, lockMs, ttlMs } = dedupe.dedupe
  const id = dedupe.deliveryId
  return then(storeCall(() => store.claim(id, units.map((unit) => unit.id), lockMs)), (states) => {
    const claimed = units.filter((_, i) => states[i] === 'claimed')
    if (states.includes('running')) {
      return then(releaseClaims(request, store, id, claimed.map((unit) => unit.id)), () => { throw new WebhookInProgressError() })
    }
    return then(runUnits(request, claimed, delivery), (outcome) =>
      then(markDone(request, store, id, outcome.succeeded, ttlMs), () =>
        then(releaseClaims(request, store, id, outcome.failed), () => { throwFailure(outcome) })))
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
