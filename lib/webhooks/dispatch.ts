import type { FastifyRequest } from 'fastify'
import { callHandler } from '../call-handler'
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
  run: () => Promise<unknown>
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
  delivery.events.forEach((event, index) => {
    const category = eventCategory(event.name)
    if (category === undefined) {
      if (categories !== undefined || handlers.forEvent(event.name).length === 0) {
        request.log.debug({ event: event.name.slice(0, 64) }, 'fastify-pusher: a webhook event of an unknown name was ignored')
        return
      }
    } else if (categories !== undefined && !categories.includes(category)) {
      return // another route's event: a batch posted to every URL reaches each handler once
    }
    const list = handlers.forEvent(event.name)
    if (list.length === 0) return
    units.push({
      id: String(index),
      run: async () => {
        for (const handler of list) await callHandler(`webhooks.on('${event.name}')`, handler, request, event, delivery)
      }
    })
  })
  return units
}

function addCategoryUnit (units: Unit[], request: FastifyRequest, handlers: WebhookHandlers, category: Category, delivery: Delivery): void {
  const handler = handlers.category[category.handler]
  if (handler === undefined) return
  const events = delivery.events.filter((event) => (category.events as readonly string[]).includes(event.name))
  if (events.length === 0) return
  units.push({ id: category.path, run: async () => await callHandler(`${category.handler} webhook`, handler, request, { time_ms: delivery.time_ms, events }) })
}

/**
 * Runs a verified delivery's work. Without dedupe, every unit runs. With it, each unit
 * is claimed first (`{deliveryId}:{unit}`): one done before is skipped, one another
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
  let keys: string[] = []
  if (dedupe !== undefined) {
    const { store, lockMs } = dedupe.dedupe
    keys = units.map((unit) => `${dedupe.deliveryId}:${unit.id}`)
    const states = await storeCall(async () => await store.claim(keys, lockMs))
    const claimed = keys.filter((_, i) => states[i] === 'claimed')
    if (states.includes('running')) {
      await releaseClaims(request, store, claimed)
      throw new WebhookInProgressError()
    }
    units = units.filter((_, i) => states[i] === 'claimed')
    keys = claimed
  }

  const succeeded: string[] = []
  const failed: string[] = []
  let firstFailure: unknown
  for (const [i, unit] of units.entries()) {
    try {
      await unit.run()
      succeeded.push(keys[i])
    } catch (error) {
      failed.push(keys[i])
      if (firstFailure === undefined) firstFailure = error
      else request.log.error({ err: error }, 'fastify-pusher: a webhook handler failed')
    }
  }

  if (dedupe !== undefined) {
    const { store, ttlMs } = dedupe.dedupe
    try {
      if (succeeded.length > 0) await store.done(succeeded, ttlMs)
    } catch (error) {
      // The handlers succeeded: answer as they did. A retry (if any) would run them again.
      request.log.error({ err: error }, 'fastify-pusher: the webhook dedupe store could not mark events done')
    }
    await releaseClaims(request, store, failed)
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

async function releaseClaims (request: FastifyRequest, store: WebhookDedupeStore, keys: string[]): Promise<void> {
  if (keys.length === 0) return
  try {
    await store.release(keys)
  } catch (error) {
    // The claims expire after lockMs: until then a retry is answered 409.
    request.log.error({ err: error }, 'fastify-pusher: the webhook dedupe store could not release claims')
  }
}
