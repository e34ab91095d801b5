import type { FastifyInstance } from 'fastify'
import type { PusherRouteOptions } from '../../types/index'
import { routeFields, schemaFields } from '../config/route-options'
import { NoAuthHandlerError } from '../errors'
import { AuthRequestBodyDoc, AuthRequestFields, AuthResponse, type AuthRequestBody } from '../schemas'
import { pluginValidator } from '../validator'
import type { FastifyRequest } from 'fastify'
import { isPromiseLike } from '../call-handler'
import { authorizeChannel, type AuthorizeContext, type AuthSources } from './authorize'
import { authorizeBatch, batchChannelNames } from './batch-auth'
import { explainBody } from './form-body'
import { requireHandler } from './require-handler'
import { FORM_AND_JSON, responses, routeSchema, serializeAsJson } from '../openapi'

/** Default body limit of the auth routes: a 100-channel batch fits. */
export const AUTH_BODY_LIMIT = 64 * 1024

/**
 * POST {prefix}{authPath}: what pusher-js (single), pusher-js-auth (batch) and
 * Laravel Echo send. Refused before the body is read while no auth handler and no
 * channel rule is set.
 */
export function channelAuthRoute (fastify: FastifyInstance, path: string, { authContext, handlers, rules }: Pick<AuthSources, 'authContext' | 'handlers' | 'rules'>, options: PusherRouteOptions): void {
  fastify.post<{ Body: AuthRequestBody }>(path, {
    ...routeFields(options, {
      onRequest: requireHandler(() => handlers.auth !== undefined || rules.size > 0, NoAuthHandlerError),
      bodyLimit: AUTH_BODY_LIMIT
    }),
    schema: routeSchema({
      summary: 'Authorize subscriptions to private, encrypted and presence channels',
      description: 'pusher-js sends one channel; pusher-js-auth sends a batch and gets one answer per distinct channel.',
      consumes: FORM_AND_JSON,
      body: AuthRequestBodyDoc,
      response: responses(AuthResponse, [400, 403, 404, 413, 415, 500, 503]),
      ...schemaFields(options)
    }),
    validatorCompiler: pluginValidator({ instead: { body: AuthRequestFields }, explain: explainBody }),
    serializerCompiler: serializeAsJson,
    handler: (request) => {
      // A single app's context is at hand; a tenant's may take a lookup.
      const context = authContext(request)
      return isPromiseLike(context) ? Promise.resolve(context).then((found) => authorize(found, request)) : authorize(context, request)
    }
  })
}

/** One channel (pusher-js) or a batch (pusher-js-auth), signed with the context's client. */
function authorize (context: AuthorizeContext, request: FastifyRequest<{ Body: AuthRequestBody }>): ReturnType<typeof authorizeChannel> | ReturnType<typeof authorizeBatch> {
  const { socket_id: socketId, channel_name: channelName } = request.body
  if (channelName !== undefined) return authorizeChannel(context, request, channelName, socketId)
  return authorizeBatch(context, request, batchChannelNames(request.body), socketId)
}
