import type { FastifyInstance } from 'fastify'
import { authRoute, type AuthRouteOptions } from './auth/auth-route'
import { webhookRoutes } from './webhooks/routes'

/** The plugin's routes, registered (encapsulated) under `prefix`; each group owns its parsers. */
export async function pusherRoutes (fastify: FastifyInstance, { authPath, client, handlers }: AuthRouteOptions): Promise<void> {
  // Options are passed on one by one: passing `prefix` on would nest it twice.
  await fastify.register(authRoute, { authPath, client, handlers })
  await fastify.register(webhookRoutes, { client, handlers })
}
