import type { FastifyRequest } from 'fastify'
import type { MaybePromise } from '../../types/index'
import { callHandler, isPromiseLike } from '../call-handler'
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

/** Calls `list[from..]` one after the other: synchronously while they answer synchronously. */
function runEach (list: readonly Function[], from: number, request: FastifyRequest, event: WireEvent, delivery: Delivery): MaybePromise<unknown> {
  for (let i = from; i < list.length; i++) {
    const result = callHandler(onHandlerName(event.name), list[i] as (a: unknown, b: unknown, c: unknown) => unknown, request, event, delivery)
    if (isPromiseLike(result)) return Promise.resolve(result).then(() => runEach(list, i + 1, request, event, delivery))
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
  const { events } = delivery
  for (let index = 0; index < events.length; index++) {
    const event = events[index]
    const category = eventCategory(event.name)
    if (category === undefined) {
      if (categories !== undefined || handlers.forEvent(event.name).length === 0) {
        request.log.debug({ event: event.name.slice(0, 64) }, 'fastify-pusher: a webhook event of an unknown name was ignored')
        continue
      }
    } else if (categories !== undefined && !categories.includes(category)) {
      continue // another route's event: a batch posted to every URL reaches each handler once
    }
    const list = handlers.forEvent(event.name)
    if (list.length > 0) units.push({ id: String(index), list, event, category: undefined, payload: delivery })
  }
  return units
}

function addCategoryUnit (units: Unit[], request: FastifyRequest, handlers: WebhookHandlers, category: Category, delivery: Delivery): void {
  const handler = handlers.category[category.handler]
  if (handler === undefined) return
  const events = delivery.events.filter((event) => (category.events as readonly string[]).includes(event.name))
  if (events.length === 0) return
  units.push({ id: category.path, list: [handler], event: undefined, category, payload: { time_ms: delivery.time_ms, events } })
}

/**
 * Runs a verified delivery's work. Without dedupe, every unit runs. With it, each unit
 * is claimed first (in the delivery's id): one done before is skipped, one another
 * request is running makes this a 409; a unit whose handlers all succeeded is marked
 * done, one that failed is released, so that Pusher's retry runs only what failed. A
 * failure does not stop the units after it; the first failure is thrown at the end.
 */
export async function dispatchDelivery (
  request: FastifyRequest,
  handlers: WebhookHandlers,
  categories: readonly Category[] | undefined,
  delivery: Delivery,
  dedupe: { dedupe: Dedupe, deliveryId: string } | undefined
): Promise<void> {
  let units = unitsOf(request, handlers, categories, delivery)
  if (units.length === 0) return
  if (dedupe !== undefined) {
    const { store, lockMs } = dedupe.dedupe
    const ids = units.map((unit) => unit.id)
    const states = await storeCall(async () => await store.claim(dedupe.deliveryId, ids, lockMs))
    const claimed = units.filter((_, i) => states[i] === 'claimed')
    if (states.includes('running')) {
      await releaseClaims(request, store, dedupe.deliveryId, claimed.map((unit) => unit.id))
      throw new WebhookInProgressError()
    }
    units = claimed
  }

  const succeeded: string[] = []
  const failed: string[] = []
  let firstFailure: unknown
  for (const unit of units) {
    try {
      const result = runUnit(request, unit, delivery)
      if (isPromiseLike(result)) await result
      succeeded.push(unit.id)
    } catch (error) {
      failed.push(unit.id)
      if (firstFailure === undefined) firstFailure = error
      else request.log.error({ err: error }, 'fastify-pusher: a webhook handler failed')
    }
  }

  if (dedupe !== undefined) {
    const { store, ttlMs } = dedupe.dedupe
    try {
      if (succeeded.length > 0) await store.done(dedupe.deliveryId, succeeded, ttlMs)
    } catch (error) {
      // The handlers succeeded: answer as they did. A retry (if any) would run them again.
      request.log.error({ err: error }, 'fastify-pusher: the webhook dedupe store could not mark events done')
    }
    await releaseClaims(request, store, dedupe.deliveryId, failed)
  }
  if (firstFailure !== undefined) throw firstFailure
}

async function storeCall<T> (call: () => Promise<T>): Promise<T> {
  try {
    return await call()
  } catch (error) {
    throw new DedupeStoreError({ cause: error })
  }
}

async function releaseClaims (request: FastifyRequest, store: WebhookDedupeStore, deliveryId: string, units: string[]): Promise<void> {
  if (units.length === 0) return
  try {
    await store.release(deliveryId, units)
  } catch (error) {
    // The claims expire after lockMs: until then a retry is answered 409.
    request.log.error({ err: error }, 'fastify-pusher: the webhook dedupe store could not release claims')
  }
}
