import type { FastifyRequest } from 'fastify'
import type Pusher = require('pusher')
import type { ChannelType, MaybePromise } from '../../types/index'
import type { Handlers } from '../decorator'
import type { ChannelAuthResponse } from '../schemas/auth'
import { callHandler, isPromiseLike } from '../call-handler'
import { EncryptionNotConfiguredError, ForbiddenChannelError, NotAuthorizableChannelError } from '../errors'
import { channelType, type ChannelRules, type RuleMatch } from './channel-rules'
import { presenceMember } from './presence-member'
import { signChannel } from './sign'
import { authChannel, isTraced } from '../telemetry/channels'
import { authMessage } from '../telemetry/messages'
import { settleAuth } from '../telemetry/auth-result'
import { routeUrl, traced } from '../telemetry/trace'

export interface AuthorizeContext {
  client: Pusher
  handlers: Handlers
  rules: ChannelRules
  hasMasterKey: boolean
  /** Called on each request for an encrypted channel when no master key is configured. */
  encryptionNotConfigured: (request: FastifyRequest) => void
}

/** What the auth routes read: per request, the signing context (the app's, or its tenant's, a lookup maybe), and the handlers and rules. */
export interface AuthSources {
  authContext: (request: FastifyRequest) => MaybePromise<AuthorizeContext>
  handlers: Handlers
  rules: ChannelRules
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

  const match = context.rules.size === 0 ? undefined : context.rules.match(channelName, type)
  if (!isTraced(authChannel)) return decide(context, request, channelName, socketId, type, match)
  const message = authMessage(routeUrl(request), type, match?.rule.pattern)
  return traced(authChannel, message, () => decide(context, request, channelName, socketId, type, match), settleAuth)
}

/** Refused when it is encrypted and no master key is set; else the rule that matched decides, else the auth handler; then sign. */
function decide (
  context: AuthorizeContext,
  request: FastifyRequest,
  channelName: string,
  socketId: string,
  type: ChannelType,
  match: RuleMatch | undefined
): MaybePromise<ChannelAuthResponse> {
  if (type === 'encrypted' && !context.hasMasterKey) {
    context.encryptionNotConfigured(request)
    throw new EncryptionNotConfiguredError(channelName)
  }
  let decision: unknown
  if (match !== undefined) {
    decision = callHandler(match.rule.name, match.rule.handler, request, match.params, { name: channelName, type, socketId })
  } else if (context.handlers.auth !== undefined) {
    decision = callHandler('auth', context.handlers.auth, request, channelName, socketId)
  }
  if (isPromiseLike(decision)) {
    return Promise.resolve(decision).then((allowed) => sign(context, request, channelName, socketId, type, match, allowed))
  }
  return sign(context, request, channelName, socketId, type, match, decision)
}

/** What follows the decision: refuse, or find the presence member and sign. */
function sign (
  context: AuthorizeContext,
  request: FastifyRequest,
  channelName: string,
  socketId: string,
  type: ChannelType,
  match: RuleMatch | undefined,
  allowed: unknown
): MaybePromise<ChannelAuthResponse> {
  if (!allowed) throw new ForbiddenChannelError(channelName)
  if (type !== 'presence') return signChannel(context.client, socketId, channelName)
  const member = presenceMember(context.handlers, request, channelName, socketId, match === undefined ? undefined : allowed)
  if (isPromiseLike(member)) return Promise.resolve(member).then((resolved) => signChannel(context.client, socketId, channelName, resolved))
  return signChannel(context.client, socketId, channelName, member)
}
