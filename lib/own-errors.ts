import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify'
import { InternalError } from './errors'

/**
 * The error handler of the plugin's routes: only the plugin's own errors leave them. A 4xx or an
 * FST_PUSHER_* error is handed on as it is; any other (a hook of the app's on these routes that
 * throws, a bug) becomes FST_PUSHER_INTERNAL_ERROR, its cause logged here and never sent. Handed on
 * means thrown: the app's own error handler (or Fastify's) still answers.
 */
export function ownErrorsOnly (error: FastifyError, request: FastifyRequest, _reply: FastifyReply): never {
  const status = error.statusCode ?? 500
  if (status < 500 || error.code?.startsWith('FST_PUSHER_') === true) throw error
  request.log.error({ err: error }, 'fastify-pusher: an unexpected error in its route')
  throw new InternalError()
}
