import { Type, type Static, type TSchema } from '@sinclair/typebox'

// The events as handlers receive them (normalised: `client_event.data` is text,
// `user_id` a string), one TypeBox schema per event name.

export const ChannelOccupiedEvent = Type.Object({ name: Type.Literal('channel_occupied'), channel: Type.String() })
export const ChannelVacatedEvent = Type.Object({ name: Type.Literal('channel_vacated'), channel: Type.String() })
export const MemberAddedEvent = Type.Object({ name: Type.Literal('member_added'), channel: Type.String(), user_id: Type.String() })
export const MemberRemovedEvent = Type.Object({ name: Type.Literal('member_removed'), channel: Type.String(), user_id: Type.String() })
export const ClientEvent = Type.Object({
  name: Type.Literal('client_event'),
  channel: Type.String(),
  event: Type.String({ description: 'The client event name, e.g. client-typing' }),
  data: Type.String({ description: 'What the client sent, as JSON text (an object some servers send is stringified)' }),
  socket_id: Type.String(),
  user_id: Type.Optional(Type.String({ description: 'presence channels: the sender\'s user_id' }))
})
export const SubscriptionCountEvent = Type.Object({
  name: Type.Literal('subscription_count'),
  channel: Type.String(),
  subscription_count: Type.Integer({ minimum: 0 })
})
export const CacheMissEvent = Type.Object({ name: Type.Literal('cache_miss'), channel: Type.String() })

export const ChannelExistenceEvent = Type.Union([ChannelOccupiedEvent, ChannelVacatedEvent])
export const PresenceEvent = Type.Union([MemberAddedEvent, MemberRemovedEvent])

/** Every webhook event Pusher documents, discriminated by `name`. */
export const WebhookEvent = Type.Union([
  ChannelOccupiedEvent, ChannelVacatedEvent, MemberAddedEvent, MemberRemovedEvent,
  ClientEvent, SubscriptionCountEvent, CacheMissEvent
])
export type WebhookEvent = Static<typeof WebhookEvent>
export type WebhookEventName = WebhookEvent['name']

const webhook = <T extends TSchema>(event: T) => Type.Object({
  time_ms: Type.Integer({ description: 'When Pusher sent the webhook, in ms since the epoch' }),
  events: Type.Array(event)
})

export const ChannelExistenceWebhook = webhook(ChannelExistenceEvent)
export type ChannelExistenceWebhook = Static<typeof ChannelExistenceWebhook>
export const PresenceWebhook = webhook(PresenceEvent)
export type PresenceWebhook = Static<typeof PresenceWebhook>
export const ClientEventWebhook = webhook(ClientEvent)
export type ClientEventWebhook = Static<typeof ClientEventWebhook>
export const SubscriptionCountWebhook = webhook(SubscriptionCountEvent)
export type SubscriptionCountWebhook = Static<typeof SubscriptionCountWebhook>
export const CacheMissWebhook = webhook(CacheMissEvent)
export type CacheMissWebhook = Static<typeof CacheMissWebhook>
/** A whole delivery, as `POST {prefix}/events` takes it (events of names this plugin does not know pass through). */
export const WebhookPayload = webhook(WebhookEvent)

/** 200 answer of a webhook route. */
export const WebhookResponse = Type.Object({ ok: Type.Literal(true) })

// What is accepted on the wire, before normalisation: soketi sends `client_event.data`
// as the value the client sent (not its JSON text) and may send a numeric `user_id`.
const UserId = { anyOf: [{ type: 'string' }, { type: 'integer' }] }
const wireEvents: Record<WebhookEventName, object> = {
  channel_occupied: ChannelOccupiedEvent,
  channel_vacated: ChannelVacatedEvent,
  member_added: { ...MemberAddedEvent, properties: { ...MemberAddedEvent.properties, user_id: UserId } },
  member_removed: { ...MemberRemovedEvent, properties: { ...MemberRemovedEvent.properties, user_id: UserId } },
  client_event: { ...ClientEvent, properties: { ...ClientEvent.properties, data: {}, user_id: UserId } },
  subscription_count: SubscriptionCountEvent,
  cache_miss: CacheMissEvent
}

/**
 * `if name is A then A's schema else if name is B ...`: one name checked after another
 * until one matches (half the time of an `allOf` of one `if`/`then` per name, which
 * checks every name for every event; measured).
 */
const byName = ([[name, schema], ...rest]: Array<[string, object]>): object => ({
  if: { properties: { name: { const: name } } },
  then: schema,
  ...(rest.length > 0 ? { else: byName(rest) } : {})
})

/**
 * What the webhook routes validate: the envelope, and each event of a known name
 * against its schema (an event of an unknown name needs only a `name`).
 */
export const WIRE_PAYLOAD = {
  type: 'object',
  required: ['time_ms', 'events'],
  properties: {
    time_ms: { type: 'integer' },
    events: {
      type: 'array',
      items: {
        type: 'object',
        required: ['name'],
        properties: { name: { type: 'string' } },
        ...byName(Object.entries(wireEvents))
      }
    }
  }
}
