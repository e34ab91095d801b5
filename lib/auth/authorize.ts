import type { FastifyRequest } from 'fastify'
import type Pusher from 'pusher'
import type { MaybePromise } from '../../types/index'
import type { Handlers } from '../decorator'
import type { ChannelAuthResponse } from '../schemas'
import { callHandler, then } from '../call-handler'
import { EncryptionNotConfiguredError, ForbiddenChannelError, NotAuthorizableChannelError } from '../errors'
import { channelType, matchRule, type ChannelRule } from './channel-rules'
import { presenceMember } from './presence-member'

export interface AuthorizeContext {
  client: Pusher
  handlers: Handlers
  rules: ChannelRule[]
  hasMasterKey: boolean
  /** Called on each request for an encrypted channel when no master key is configured. */
  encryptionNotConfigured: (request: FastifyRequest) => void
}

/**
 * Authorizes one subscription of `socketId` to `channelName` (both already valid):
 * the first matching channel rule decides, else the auth handler, else no one (403);
 * then the presence member is found and the official client signs. Synchronous when
 * the handlers are. Throws an FST_PUSHER_* error (or a handler's own 4xx error).
 */
export function authorizeChannel (
  context: AuthorizeContext,
  request: FastifyRequest,
  channelName: string,
  socketId: string
): MaybePromise<ChannelAuthResponse> {
  const type = channelType(channelName)
  if (type === undefined) throw new NotAuthorizableChannelError(channelName)
  if (type === 'encrypted' && !context.hasMasterKey) {
    context.encryptionNotConfigured(request)
    throw new EncryptionNotConfiguredError(channelName)
  }

  const match = context.rules.length === 0 ? undefined : matchRule(context.rules, channelName, type)
  let decision: unknown
  if (match !== undefined) {
    decision = callHandler(`channel rule ${JSON.stringify(match.rule.pattern)}`, match.rule.handler, request, match.params, { name: channelName, type, socketId })
  } else if (context.handlers.auth !== undefined) {
    decision = callHandler('auth', context.handlers.auth, request, channelName, socketId)
  }

  return then(decision, (allowed) => {
    if (!allowed) throw new ForbiddenChannelError(channelName)
    if (type !== 'presence') return context.client.authorizeChannel(socketId, channelName)
    const fromRule = match === undefined ? undefined : allowed
    return then(presenceMember(context.handlers, request, channelName, socketId, fromRule),
      (member) => context.client.authorizeChannel(socketId, channelName, member))
  })
}
