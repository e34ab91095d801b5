import { Type, type Static } from '@sinclair/typebox'

// Pusher's own limits: https://pusher.com/docs/channels/using_channels/channels/#channel-naming-conventions
export const CHANNEL_NAME_PATTERN = '^[A-Za-z0-9_\\-=@,.;]+$'
export const CHANNEL_NAME_MAX_LENGTH = 164
export const SOCKET_ID_PATTERN = '^\\d+\\.\\d+$'
export const BATCH_FIELD_PATTERN = '^channel_name\\[(\\d+)\\]$'
/** At most this many distinct channels in one batch auth request. */
export const MAX_BATCH_CHANNELS = 100

export const ChannelName = Type.String({
  pattern: CHANNEL_NAME_PATTERN,
  minLength: 1,
  maxLength: CHANNEL_NAME_MAX_LENGTH,
  description: 'A Pusher channel name: A-Z a-z 0-9 _ - = @ , . ; up to 164 characters'
})

export const SocketId = Type.String({
  pattern: SOCKET_ID_PATTERN,
  description: 'The socket id pusher-js was given on connecting, e.g. 1234.5678'
})

/**
 * The body pusher-js sends to the auth endpoint: `socket_id` and `channel_name`,
 * or, from pusher-js-auth's batch mode, `channel_name[0]`, `channel_name[1]`, ...
 * (batch names are checked one by one, so that one bad name fails only itself).
 */
export const AuthRequestBody = Type.Object({
  socket_id: SocketId,
  channel_name: Type.Optional(ChannelName)
}, {
  patternProperties: { [BATCH_FIELD_PATTERN]: Type.String() }
})
export type AuthRequestBody = Static<typeof AuthRequestBody>

/** 200 answer for one private, encrypted or presence channel. */
export const ChannelAuthResponse = Type.Object({
  auth: Type.String({ description: 'KEY:HMAC-SHA256 signature' }),
  channel_data: Type.Optional(Type.String({ description: 'presence channels: the JSON member { user_id, user_info }' })),
  shared_secret: Type.Optional(Type.String({ description: 'private-encrypted channels: base64 key for this channel' }))
})
export type ChannelAuthResponse = Static<typeof ChannelAuthResponse>

/** 200 answer to a batch request: one entry per distinct channel name. */
export const BatchAuthResponse = Type.Record(Type.String(), Type.Object({
  status: Type.Integer(),
  data: Type.Optional(ChannelAuthResponse)
}))
export type BatchAuthResponse = Static<typeof BatchAuthResponse>

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
