import { WebhookBodyError } from '../errors'
import type { TSchema } from '@sinclair/typebox'
import type { WebhookEventName } from '../schemas'
import {
  CacheMissWebhook, ChannelExistenceWebhook, ClientEventWebhook, PresenceWebhook, SubscriptionCountWebhook
} from '../schemas'

/** A category of webhook: its route under {prefix}/events/, its handler setter, its events. */
export interface Category {
  path: string
  handler: CategoryHandlerName
  events: readonly WebhookEventName[]
  schema: TSchema
}

export type CategoryHandlerName = 'channelExistence' | 'presence' | 'client' | 'subscriptionCount' | 'cacheMiss'

export const CATEGORIES: readonly Category[] = [
  { path: 'channel_existence', handler: 'channelExistence', events: ['channel_occupied', 'channel_vacated'], schema: ChannelExistenceWebhook },
  { path: 'presence', handler: 'presence', events: ['member_added', 'member_removed'], schema: PresenceWebhook },
  { path: 'client', handler: 'client', events: ['client_event'], schema: ClientEventWebhook },
  { path: 'subscription_count', handler: 'subscriptionCount', events: ['subscription_count'], schema: SubscriptionCountWebhook },
  { path: 'cache_miss', handler: 'cacheMiss', events: ['cache_miss'], schema: CacheMissWebhook }
]

/** Every event name the plugin knows, for `webhooks.on(name)`. */
export const EVENT_NAMES: readonly WebhookEventName[] = CATEGORIES.flatMap((category) => category.events)

const categoryOf = new Map<string, Category>(CATEGORIES.flatMap((category) => category.events.map((name) => [name, category] as const)))

/** The category of an event name; undefined for a name the plugin does not know. */
export const eventCategory = (name: string): Category | undefined => categoryOf.get(name)

/** An event as it arrived, once validated (only `name` is known for unknown names). */
export interface WireEvent {
  name: string
  data?: unknown
  user_id?: unknown
  [field: string]: unknown
}

/**
 * Pusher's documented form, whatever the server sent: `client_event.data` is JSON text
 * (soketi sends the value itself), `user_id` is a string (it may come as a number).
 * Changes the (freshly parsed) events in place.
 */
export function normaliseEvents (events: WireEvent[]): void {
  for (const event of events) {
    if (typeof event.user_id === 'number') event.user_id = String(event.user_id)
    if (event.name === 'client_event' && typeof event.data !== 'string') event.data = jsonText(event.data)
  }
}

/**
 * A client event's data as JSON text. Data nested thousands of levels deep (JSON.parse takes it,
 * JSON.stringify overflows the stack) is FST_PUSHER_WEBHOOK_INVALID_JSON, a 400: never a 500 with the
 * engine's message, which Pusher would retry for 5 minutes with every event of the delivery.
 */
function jsonText (data: unknown): string {
  try {
    return JSON.stringify(data)
  } catch {
    throw new WebhookBodyError('an event\'s data is nested too deep')
  }
}
