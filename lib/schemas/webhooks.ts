import { Type, type Static } from '@sinclair/typebox'

const webhook = <T extends ReturnType<typeof Type.Object> | ReturnType<typeof Type.Union>>(event: T) => Type.Object({
  time_ms: Type.Integer({ description: 'When Pusher sent the webhook, in ms since the epoch' }),
  events: Type.Array(event)
})

export const ChannelOccupiedEvent = Type.Object({ name: Type.Literal('channel_occupied'), channel: Type.String() })
export const ChannelVacatedEvent = Type.Object({ name: Type.Literal('channel_vacated'), channel: Type.String() })
export const ChannelExistenceEvent = Type.Union([ChannelOccupiedEvent, ChannelVacatedEvent])
export const ChannelExistenceWebhook = webhook(ChannelExistenceEvent)
export type ChannelExistenceWebhook = Static<typeof ChannelExistenceWebhook>

export const MemberAddedEvent = Type.Object({ name: Type.Literal('member_added'), channel: Type.String(), user_id: Type.String() })
export const MemberRemovedEvent = Type.Object({ name: Type.Literal('member_removed'), channel: Type.String(), user_id: Type.String() })
export const PresenceEvent = Type.Union([MemberAddedEvent, MemberRemovedEvent])
export const PresenceWebhook = webhook(PresenceEvent)
export type PresenceWebhook = Static<typeof PresenceWebhook>

export const ClientEvent = Type.Object({
  name: Type.Literal('client_event'),
  channel: Type.String(),
  event: Type.String({ description: 'The client event name, e.g. client-typing' }),
  data: Type.Unknown({ description: 'What the client sent: a string from Pusher, the parsed value from some servers' }),
  socket_id: Type.String(),
  user_id: Type.Optional(Type.String({ description: 'presence channels: the sender\'s user_id' }))
})
export const ClientEventWebhook = webhook(ClientEvent)
export type ClientEventWebhook = Static<typeof ClientEventWebhook>

/** 200 answer of a webhook route. */
export const WebhookResponse = Type.Object({ ok: Type.Literal(true) })
