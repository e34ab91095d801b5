import type { FastifyInstance } from 'fastify'
import type Pusher = require('pusher')
import type { ResolvedRouteOptions } from './config/route-options'
import type { WebhookOptions } from './config/webhook-options'
import { pairToken, signingToken } from './config/client'
import type { Decorator } from './decorator'
import { authorizeContext } from './auth/context'
import { authRoutes } from './auth/routes'
import { webhookRoutes } from './webhooks/routes'
import { webhookTokens } from './webhooks/signature'
import { ownErrorsOnly } from './own-errors'

export interface PusherRoutesOptions {
  /** A named app's name: its webhook dedupe marks are kept under it. */
  appName: string | undefined
  authPath: string
  userAuthPath: string
  client: Pusher
  decorator: Decorator
  routeOptions: ResolvedRouteOptions
  webhooks: WebhookOptions
}

/** The plugin's routes, registered (encapsulated) under `prefix`; each group owns its parsers (a group whose routeOptions is false is left out). */
export async function pusherRoutes (fastify: FastifyInstance, { appName, authPath, userAuthPath, client, decorator, routeOptions, webhooks }: PusherRoutesOptions): Promise<void> {
  fastify.setErrorHandler(ownErrorsOnly)
  // Options are passed on one by one: passing `prefix` on would nest it twice.
  if (routeOptions.auth !== false || routeOptions.userAuth !== false) {
    await fastify.register(authRoutes, {
      authPath,
      userAuthPath,
      context: authorizeContext(client, decorator),
      routeOptions: { auth: routeOptions.auth, userAuth: routeOptions.userAuth }
    })
  }
  if (routeOptions.webhooks === false) return
  await fastify.register(webhookRoutes, {
    tokens: webhookTokens([signingToken(client), ...webhooks.keys.map(({ key, secret }) => pairToken(key, secret))]),
    handlers: decorator.webhookHandlers,
    dedupe: webhooks.dedupe,
    deliveryPrefix: appName === undefined ? '' : `${appName}:`,
    maxAgeMs: webhooks.maxAgeMs,
    routeOptions: routeOptions.webhooks
  })
}
