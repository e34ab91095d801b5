import type { FastifyInstance } from 'fastify'
import type { ResolvedRouteOptions } from './config/route-options'
import type { WebhookOptions } from './config/webhook-options'
import type { Decorator } from './decorator'
import type { RouteSources } from './apps/app-side'
import { authRoutes } from './auth/routes'
import { webhookRoutes } from './webhooks/routes'
import { ownErrorsOnly } from './own-errors'

export interface PusherRoutesOptions {
  authPath: string
  userAuthPath: string
  /** Per request, whose secret signs and checks (the app's, or the request's tenant's). */
  sources: RouteSources
  decorator: Decorator
  routeOptions: ResolvedRouteOptions
  webhooks: WebhookOptions
}

/** The plugin's routes, registered (encapsulated) under `prefix`; each group owns its parsers (a group whose routeOptions is false is left out). */
export async function pusherRoutes (fastify: FastifyInstance, { authPath, userAuthPath, sources, decorator, routeOptions, webhooks }: PusherRoutesOptions): Promise<void> {
  fastify.setErrorHandler(ownErrorsOnly)
  // Options are passed on one by one: passing `prefix` on would nest it twice.
  if (routeOptions.auth !== false || routeOptions.userAuth !== false) {
    await fastify.register(authRoutes, {
      authPath,
      userAuthPath,
      authContext: sources.authContext,
      handlers: decorator.handlers,
      rules: decorator.rules,
      routeOptions: { auth: routeOptions.auth, userAuth: routeOptions.userAuth }
    })
  }
  if (routeOptions.webhooks === false) return
  await fastify.register(webhookRoutes, {
    signer: sources.webhookSigner,
    handlers: decorator.webhookHandlers,
    dedupe: webhooks.dedupe,
    maxAgeMs: webhooks.maxAgeMs,
    routeOptions: routeOptions.webhooks
  })
}
