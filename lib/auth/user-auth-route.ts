import type { FastifyInstance, FastifyRequest } from 'fastify'
import type Pusher = require('pusher')
import type { MaybePromise, PusherRouteOptions } from '../../types/index'
import type { Handlers } from '../decorator'
import type { AuthSources } from './authorize'
import { callHandler, isPromiseLike } from '../call-handler'
import { routeFields, schemaFields } from '../config/route-options'
import { NoUserAuthHandlerError, UserAuthForbiddenError } from '../errors'
import { UserAuthRequestBody, UserAuthResponse } from '../schemas'
import { pluginValidator } from '../validator'
import { AUTH_BODY_LIMIT } from './channel-auth-route'
import { explainBody } from './form-body'
import { requireHandler } from './require-handler'
import { FORM_AND_JSON, responses, routeSchema, serializeAsJson } from '../openapi'
import { signUser } from './sign'
import { checkUserData } from './user-data'
import { authChannel, isTraced } from '../telemetry/channels'
import { authMessage } from '../telemetry/messages'
import { settleAuth } from '../telemetry/auth-result'
import { routeUrl, traced } from '../telemetry/trace'

/**
 * POST {prefix}{userAuthPath}: pusher-js `signin()`. The userAuth handler names the
 * user; the official client signs `{ auth, user_data }`. Refused before the body
 * is read while no userAuth handler is set.
 */
export function userAuthRoute (fastify: FastifyInstance, path: string, { authContext, handlers }: Pick<AuthSources, 'authContext' | 'handlers'>, options: PusherRouteOptions): void {
  fastify.post<{ Body: UserAuthRequestBody }>(path, {
    ...routeFields(options, {
      onRequest: requireHandler(() => handlers.userAuth !== undefined, NoUserAuthHandlerError),
      bodyLimit: AUTH_BODY_LIMIT
    }),
    schema: routeSchema({
      summary: 'Sign a user in (pusher-js signin())',
      consumes: FORM_AND_JSON,
      body: UserAuthRequestBody,
      response: responses(UserAuthResponse, [400, 403, 404, 413, 415, 500, 503]),
      ...schemaFields(options)
    }),
    validatorCompiler: pluginValidator({ explain: explainBody }),
    serializerCompiler: serializeAsJson,
    handler: (request) => {
      // A single app's context is at hand; a tenant's may take a lookup.
      const context = authContext(request)
      return isPromiseLike(context) ? Promise.resolve(context).then(({ client }) => signInTraced(client, handlers, request)) : signInTraced(context.client, handlers, request)
    }
  })
}

function signInTraced (client: Pusher, handlers: Handlers, request: FastifyRequest<{ Body: UserAuthRequestBody }>): MaybePromise<UserAuthResponse> {
  const socketId = request.body.socket_id
  if (!isTraced(authChannel)) return userSignIn(client, handlers, request, socketId)
  return traced(authChannel, authMessage(routeUrl(request), 'user', undefined), () => userSignIn(client, handlers, request, socketId), settleAuth)
}

/** The userAuth handler names the user; the official client signs. Synchronous when the handler is. */
function userSignIn (client: Pusher, handlers: Handlers, request: FastifyRequest, socketId: string): MaybePromise<UserAuthResponse> {
  const user = callHandler('userAuth', handlers.userAuth!, request, socketId)
  if (isPromiseLike(user)) return Promise.resolve(user).then((resolved) => signIn(client, socketId, resolved))
  return signIn(client, socketId, user)
}

function signIn (client: Pusher, socketId: string, user: unknown): UserAuthResponse {
  if (!user) throw new UserAuthForbiddenError()
  return signUser(client, socketId, checkUserData(user))
}
