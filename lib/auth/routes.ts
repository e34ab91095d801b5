import type { FastifyInstance } from 'fastify'
import type { PusherRouteOptions } from '../../types/index'
import type { AuthSources } from './authorize'
import { channelAuthRoute } from './channel-auth-route'
import { authParsers } from './form-body'
import { userAuthRoute } from './user-auth-route'

export interface AuthRoutesOptions extends AuthSources {
  authPath: string
  userAuthPath: string
  routeOptions: { auth: PusherRouteOptions | false, userAuth: PusherRouteOptions | false }
}

/**
 * The client -> server routes, in one encapsulated scope: the form and JSON parsers
 * here are theirs alone, whatever the application registered for itself. A group whose
 * `routeOptions` is false is not declared.
 */
export async function authRoutes (fastify: FastifyInstance, { authPath, userAuthPath, authContext, handlers, rules, routeOptions }: AuthRoutesOptions): Promise<void> {
  authParsers(fastify)
  if (routeOptions.auth !== false) channelAuthRoute(fastify, authPath, { authContext, handlers, rules }, routeOptions.auth)
  if (routeOptions.userAuth !== false) userAuthRoute(fastify, userAuthPath, { authContext, handlers }, routeOptions.userAuth)
}
