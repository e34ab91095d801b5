import type { FastifyInstance } from 'fastify'
import type { PusherRouteOptions } from '../../types/index'
import { routeFields, schemaFields } from '../config/route-options'
import { NoAuthHandlerError } from '../errors'
import { AuthRequestBodyDoc, AuthRequestFields, AuthResponse, type AuthRequestBody } from '../schemas'
import { pluginValidator } from '../validator'
import { authorizeChannel, type AuthorizeContext } from './authorize'
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
export function channelAuthRoute (fastify: FastifyInstance, path: string, context: AuthorizeContext, options: PusherRouteOptions): void {
  const { handlers, rules } = context
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
      response: responses(AuthResponse, [400, 403, 404, 413, 415, 500]),
      ...schemaFields(options)
    }),
    validatorCompiler: pluginValidator({ instead: { body: AuthRequestFields }, explain: explainBody }),
    serializerCompiler: serializeAsJson,
    handler: (request) => {
      const { socket_id: socketId, channel_name: channelName } = request.body
      if (channelName !== undefined) return authorizeChannel(context, request, channelName, socketId)
      return authorizeBatch(context, request, batchChannelNames(request.body), socketId)
    }
  })
}
