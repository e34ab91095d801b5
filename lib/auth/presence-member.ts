import type { FastifyRequest } from 'fastify'
import type { MaybePromise } from '../../types/index'
import type { Handlers } from '../decorator'
import { callHandler, then } from '../call-handler'
import { InvalidChannelDataError } from '../errors'
import { checkUserData, MAX_USER_ID_LENGTH, userId } from './user-data'

export interface PresenceChannelData {
  user_id: string
  user_info?: Record<string, unknown>
  [field: string]: unknown
}

/**
 * The member signed into a presence channel's `channel_data`, from the first that
 * has one: the object a channel rule returned, the channelData handler, the userAuth
 * handler (`{ user_id: user.id, user_info }`), and last the socket id.
 */
export function presenceMember (
  handlers: Handlers,
  request: FastifyRequest,
  channelName: string,
  socketId: string,
  fromRule: unknown
): MaybePromise<PresenceChannelData> {
  if (fromRule !== null && typeof fromRule === 'object') return checkMember('channel rule', fromRule, channelName, socketId)
  if (handlers.channelData !== undefined) {
    return then(callHandler('channelData', handlers.channelData, request, channelName, socketId),
      (returned) => checkMember('channelData handler', returned, channelName, socketId))
  }
  if (handlers.userAuth !== undefined) {
    return then(callHandler('userAuth', handlers.userAuth, request, socketId), (user) => {
      if (!user) return { user_id: socketId }
      const { id, user_info: userInfo } = checkUserData(user)
      return userInfo === undefined ? { user_id: id } : { user_id: id, user_info: userInfo }
    })
  }
  return { user_id: socketId }
}

/**
 * `{ user_id: socketId }` merged with what a rule or the channelData handler returned.
 * A returned user_id wins; an undefined one keeps the socket id; numbers become strings.
 */
function checkMember (source: string, returned: unknown, channelName: string, socketId: string): PresenceChannelData {
  if (returned === undefined || returned === null) return { user_id: socketId }
  if (typeof returned !== 'object' || Array.isArray(returned)) {
    throw new InvalidChannelDataError(source, channelName, 'it must return an object like { user_id, user_info }')
  }
  const member: Record<string, unknown> = { user_id: socketId, ...returned }
  const id = member.user_id === undefined ? socketId : userId(member.user_id)
  if (id === undefined) {
    throw new InvalidChannelDataError(source, channelName, `user_id must be a non-empty string of at most ${MAX_USER_ID_LENGTH} characters`)
  }
  member.user_id = id
  return member as PresenceChannelData
}
