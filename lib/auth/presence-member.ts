import type { FastifyRequest } from 'fastify'
import type { ChannelDataHandler } from '../../types/index'
import { callHandler } from '../call-handler'
import { InvalidChannelDataError } from '../errors'

const MAX_USER_ID_LENGTH = 128

export interface PresenceChannelData {
  user_id: string
  user_info?: Record<string, unknown>
  [field: string]: unknown
}

/**
 * The presence member signed into `channel_data`: `{ user_id: socketId }` merged
 * with what the channelData handler returns. A returned user_id wins; an undefined
 * one keeps the socket id; numbers become strings.
 */
export async function presenceMember (
  handler: ChannelDataHandler | undefined,
  request: FastifyRequest,
  channelName: string,
  socketId: string
): Promise<PresenceChannelData> {
  const returned: unknown = handler === undefined ? undefined : await callHandler('channelData', handler, request, channelName, socketId)
  if (returned === undefined || returned === null) return { user_id: socketId }
  if (typeof returned !== 'object' || Array.isArray(returned)) {
    throw new InvalidChannelDataError(channelName, 'it must return an object like { user_id, user_info }')
  }
  const member: Record<string, unknown> = { user_id: socketId, ...returned }
  if (member.user_id === undefined) member.user_id = socketId
  if (typeof member.user_id === 'number' && Number.isFinite(member.user_id)) member.user_id = String(member.user_id)
  if (typeof member.user_id !== 'string' || member.user_id === '' || member.user_id.length > MAX_USER_ID_LENGTH) {
    throw new InvalidChannelDataError(channelName, `user_id must be a non-empty string of at most ${MAX_USER_ID_LENGTH} characters`)
  }
  return member as PresenceChannelData
}
