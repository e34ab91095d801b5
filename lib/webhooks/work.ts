import type { FastifyRequest } from 'fastify'
import { CATEGORIES, eventCategory, type Category, type WireEvent } from './events'
import type { WebhookHandlers } from './handlers'

export interface Delivery {
  time_ms: number
  events: WireEvent[]
}

/**
 * The work a route has for a delivery, compact (a delivery may hold hundreds of events:
 * no object, string or closure per event). Units in order: the category units, then
 * the event units; `ids[u]` names unit `u` in the dedupe store (a category's path, an
 * event's index).
 */
export interface Work {
  ids: string[]
  /** Units 0 .. categoryUnits.length - 1: a category handler with its category's events. */
  categoryUnits: Array<{ category: Category, handler: Function, payload: Delivery }>
  /** Per event unit (unit `categoryUnits.length + k`): the event's index, and its `on` handlers. */
  eventIndexes: number[]
  lists: Array<readonly Function[]>
}

/**
 * The work a route has for a delivery, in order: each category handler of the route's
 * categories once (with that category's events), then each event of those categories,
 * in payload order, with its `on` handlers (`'*'` ones included) in the order added.
 * `categories` undefined: every category, and events of unknown names (`'*'` only).
 */
export function workOf (request: FastifyRequest, handlers: WebhookHandlers, categories: readonly Category[] | undefined, delivery: Delivery): Work {
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
      work.ids.push(String(index))
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
export function subset (work: Work, keep: (u: number) => boolean): Work {
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
