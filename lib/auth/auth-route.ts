import formbody from '@fastify/formbody'
import type { FastifyInstance } from 'fastify'
import { authorizeBatch, batchChannelNames } from './batch-auth'
import { authorizeChannel, type AuthorizeContext } from './authorize'
import { DuplicateFieldError, NoAuthHandlerError } from '../errors'
import { AuthRequestBody } from '../schemas'

export interface AuthRouteOptions extends AuthorizeContext {
  authPath: string
}

/**
 * POST {prefix}{authPath}: what pusher-js (single) and pusher-js-auth (batch) send.
 * Runs in its own encapsulated scope: the form and JSON parsers here are ours alone,
 * whatever the application registered for itself.
 */
export async function authRoute (fastify: FastifyInstance, { authPath, ...context }: AuthRouteOptions): Promise<void> {
  fastify.removeAllContentTypeParsers()
  await fastify.register(formbody)
  fastify.addContentTypeParser('application/json', { parseAs: 'string' }, fastify.getDefaultJsonParser('error', 'error'))

  fastify.post<{ Body: AuthRequestBody }>(authPath, {
    schema: { body: AuthRequestBody },
    preValidation: async (request) => {
      // Deny by default, whatever the body.
      if (context.handlers.auth === undefined) throw new NoAuthHandlerError()
      // No body at all reads as an empty form, so the 400 names the missing field.
      request.body ??= {} as AuthRequestBody
      rejectRepeatedFields(request.body)
    }
  }, async (request) => {
    const { socket_id: socketId, channel_name: channelName } = request.body
    if (channelName !== undefined) return await authorizeChannel(context, request, channelName, socketId)
    return await authorizeBatch(context, request, batchChannelNames(request.body), socketId)
  })
}

/** A field given twice arrives as a list: say so, rather than "must be string". */
function rejectRepeatedFields (body: object): void {
  for (const [field, value] of Object.entries(body)) {
    if (Array.isArray(value)) throw new DuplicateFieldError(field)
  }
}
