import type { FastifyRequest } from 'fastify'
import type Pusher from 'pusher'
import type { Handlers } from '../decorator'
import type { ChannelAuthResponse } from '../schemas'
import { callHandler } from '../call-handler'
import {
  ForbiddenChannelError, NoEncryptionMasterKeyError, NotAuthorizableChannelError
} from '../errors'
import { hasEncryptionMasterKey } from '../config/client'
import { isEncryptedChannel } from '../send/event-data'
import { presenceMember, type PresenceChannelData } from './presence-member'

export interface AuthorizeContext {
  client: Pusher
  handlers: Handlers
}

/**
 * Authorizes one subscription of `socketId` to `channelName` (both already valid):
 * asks the auth handler, builds the presence member, and signs with the official client.
 * Throws an FST_PUSHER_* error (or the handler's own 4xx error) when it cannot.
 */
export async function authorizeChannel (
  { client, handlers }: AuthorizeContext,
  request: FastifyRequest,
  channelName: string,
  socketId: string
): Promise<ChannelAuthResponse> {
  const presence = channelName.startsWith('presence-')
  if (!presence && !channelName.startsWith('private-')) throw new NotAuthorizableChannelError(channelName)
  if (isEncryptedChannel(channelName) && !hasEncryptionMasterKey(client)) throw new NoEncryptionMasterKeyError(channelName)

  // The route refuses every request (403) until an auth handler is set.
  const allowed = await callHandler('auth', handlers.auth!, request, channelName, socketId)
  if (!allowed) throw new ForbiddenChannelError(channelName)

  let member: PresenceChannelData | undefined
  if (presence) member = await presenceMember(handlers.channelData, request, channelName, socketId)
  return client.authorizeChannel(socketId, channelName, member)
}
