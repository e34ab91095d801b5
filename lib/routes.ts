import type { FastifyInstance } from 'fastify'
import type Pusher from 'pusher'
import type { ResolvedRouteOptions } from './config/route-options'
import type { Decorator } from './decorator'
import { authorizeContext } from './auth/context'
import { authRoutes } from './auth/routes'
import { webhookRoutes } from './webhooks/routes'

export interface PusherRoutesOptions {
  authPath: string
  userAuthPath: string
  client: Pusher
  decorator: Decorator
  routeOptions: ResolvedRouteOptions
}

/** The plugin's routes, registered (encapsulated) under `prefix`; each group owns its parsers. */
export async function pusherRoutes (fastify: FastifyInstance, { authPath, userAuthPath, client, decorator, routeOptions }: PusherRoutesOptions): Promise<void> {
  // Options are passed on one by one: passing `prefix` on would nest it twice.
  await fastify.register(authRoutes, {
    authPath,
    userAuthPath,
    context: authorizeContext(client, decorator),
    routeOptions: { auth: routeOptions.auth, userAuth: routeOptions.userAuth }
  })
  await fastify.register(webhookRoutes, { client, handlers: decorator.handlers, routeOptions: routeOptions.webhooks })
}
