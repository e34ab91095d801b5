import type { FastifyPusherWebhooks, WebhookEventHandler, WebhookHandler } from '../../types/index'
import { InvalidHandlerError, InvalidWebhookEventError, WebhookHandlerTimeoutError } from '../errors'
import { withTimeout } from '../handler-timeout'
import { CATEGORIES, EVENT_NAMES, type Category, type CategoryHandlerName } from './events'

type AnyEventHandler = WebhookEventHandler<any>

/** The webhook handlers the routes call; read at request time, so they may be set before or after ready(). */
export interface WebhookHandlers {
  /** The category handler of each category (`webhooks.presence(...)`, ...). */
  category: Partial<Record<CategoryHandlerName, WebhookHandler<any>>>
  /** `webhooks.on` handlers of an event name, `'*'` ones included, in the order added. */
  forEvent: (name: string) => readonly AnyEventHandler[]
  /** Whether a route serving these categories (all of them, and unknown names, when `undefined`) has anything to call. */
  hasWork: (categories: readonly Category[] | undefined) => boolean
}

const NONE: readonly AnyEventHandler[] = []

/** `app.pusher.webhooks` (the setters) and what the routes read. */
export function createWebhookHandlers ({ handlerTimeout }: { handlerTimeout: number }): { api: FastifyPusherWebhooks, handlers: WebhookHandlers } {
  const category: WebhookHandlers['category'] = {}
  const added: Array<{ name: string, handler: AnyEventHandler }> = []
  // The handlers of each event name, made when first asked for and again once a handler is added.
  let byName = new Map<string, readonly AnyEventHandler[]>()
  const changed = (): void => { byName = new Map() }

  const forEvent = (name: string): readonly AnyEventHandler[] => {
    let list = byName.get(name)
    if (list === undefined) {
      list = added.filter((entry) => entry.name === name || entry.name === '*').map((entry) => entry.handler)
      byName.set(name, list.length > 0 ? list : NONE)
    }
    return list
  }
  const setter = (name: CategoryHandlerName) => (handler: WebhookHandler<any>): void => {
    if (typeof handler !== 'function') throw new InvalidHandlerError(`webhooks.${name}`, typeof handler)
    category[name] = withTimeout(handler, `${name} webhook`, handlerTimeout, WebhookHandlerTimeoutError)
    changed()
  }

  const api = {
    channelExistence: setter('channelExistence'),
    presence: setter('presence'),
    client: setter('client'),
    subscriptionCount: setter('subscriptionCount'),
    cacheMiss: setter('cacheMiss'),
    on: (name: string, handler: AnyEventHandler): void => {
      if (name !== '*' && !(EVENT_NAMES as readonly string[]).includes(name)) {
        throw new InvalidWebhookEventError(typeof name === 'string' ? JSON.stringify(name).slice(0, 64) : typeof name, [...EVENT_NAMES, '*'].join(', '))
      }
      if (typeof handler !== 'function') throw new InvalidHandlerError(`webhooks.on('${name}')`, typeof handler)
      added.push({ name, handler: withTimeout(handler, `webhooks.on('${name}')`, handlerTimeout, WebhookHandlerTimeoutError) })
      changed()
    }
  } as FastifyPusherWebhooks

  const hasWork = (categories: readonly Category[] | undefined): boolean =>
    (categories ?? CATEGORIES).some((one) => category[one.handler] !== undefined || one.events.some((name) => forEvent(name).length > 0)) ||
    (categories === undefined && added.length > 0)

  return { api, handlers: { category, forEvent, hasWork } }
}
