import { Type, type Static } from '@sinclair/typebox'

// Pusher's own limits: https://pusher.com/docs/channels/using_channels/channels/#channel-naming-conventions
export const CHANNEL_NAME_PATTERN = '^[A-Za-z0-9_\\-=@,.;]+$'
export const CHANNEL_NAME_MAX_LENGTH = 164
export const SOCKET_ID_PATTERN = '^\\d+\\.\\d+$'
/** Longer socket ids are refused (400): the default presence member (the socket id) must fit Pusher's 128-character user ids. */
export const SOCKET_ID_MAX_LENGTH = 64
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
  maxLength: SOCKET_ID_MAX_LENGTH,
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

/**
 * What the auth route's validator checks: `AuthRequestBody` less its batch fields,
 * whose values are checked as they are read (so that a batch of 100 does not pay
 * for a pattern test on each field twice).
 */
export const AuthRequestFields = Type.Object({
  socket_id: SocketId,
  channel_name: Type.Optional(ChannelName)
})

const BatchChannelName = Type.String({ description: 'One channel of the batch (checked one by one: an invalid name fails only itself)' })

/** A single request, as pusher-js sends it (documentation: the route validates `AuthRequestBody`). */
export const SingleAuthRequestBody = Type.Object({
  socket_id: SocketId,
  channel_name: ChannelName
}, { title: 'Single channel', description: 'pusher-js: one channel per request' })

/** A batch request, as pusher-js-auth sends it (documentation: the route validates `AuthRequestBody`). */
export const BatchAuthRequestBody = Type.Object({
  socket_id: SocketId,
  'channel_name[0]': BatchChannelName
}, {
  title: 'Batch',
  description: 'pusher-js-auth: `channel_name[0]`, `channel_name[1]`, ... `channel_name[N]`, at most 100 distinct channels, ' +
    'e.g. `socket_id=1.2&channel_name[0]=private-a&channel_name[1]=presence-b`',
  additionalProperties: BatchChannelName
})

/** The auth route's body in the OpenAPI document: one of the two forms. */
export const AuthRequestBodyDoc = Type.Union([SingleAuthRequestBody, BatchAuthRequestBody])

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

/**
 * 200 answer of the auth route, single or batch: usable as a response schema
 * (fast-json-stringify picks the single form when `auth` is a string).
 */
export const AuthResponse = Type.Union([ChannelAuthResponse, BatchAuthResponse])
export type AuthResponse = Static<typeof AuthResponse>

/** The user authentication route's body: what pusher-js `signin()` sends. */
export const UserAuthRequestBody = Type.Object({ socket_id: SocketId })
export type UserAuthRequestBody = Static<typeof UserAuthRequestBody>

/** 200 answer of the user authentication route. */
export const UserAuthResponse = Type.Object({
  auth: Type.String({ description: 'KEY:HMAC-SHA256 signature of socket_id::user::user_data' }),
  user_data: Type.String({ description: 'The JSON user data { id, user_info?, watchlist? }' })
})
export type UserAuthResponse = Static<typeof UserAuthResponse>

/** Every error answer: Fastify's JSON error. */
export const ErrorResponse = Type.Object({
  statusCode: Type.Integer(),
  code: Type.String({ description: 'FST_PUSHER_* (or FST_ERR_* from Fastify)' }),
  error: Type.String(),
  message: Type.String()
})
export type ErrorResponse = Static<typeof ErrorResponse>
