import type { onRequestHookHandler } from 'fastify'

/**
 * An onRequest hook that refuses every request (before its body is read) while
 * nothing that could allow it is configured: deny by default.
 */
export function requireHandler (isConfigured: () => boolean, Refusal: new () => Error): onRequestHookHandler {
  return function requirePusherHandler (_request, _reply, done) {
    if (isConfigured()) done()
    else done(new Refusal())
  }
}
