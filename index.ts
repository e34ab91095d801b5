import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import type { FastifyPusherOptions } from './types/index'
import { createDecorator } from './lib/decorator'
import { resolveOptions } from './lib/config/options'
import type { TenantOptions } from './lib/config/tenant-options'
import { warnUnknownOptions } from './lib/config/unknown-options'
import { pusherRoutes } from './lib/routes'
import { WEBHOOK_PATHS } from './lib/webhooks/routes'
import { claimApp } from './lib/apps/registry'
import { singleApp } from './lib/apps/single-app'
import { tenantApp } from './lib/apps/tenant-app'
import { createServerPresence, warnWithoutPresenceRoute } from './lib/presence/server-presence'

async function plugin (fastify: FastifyInstance, options: FastifyPusherOptions): Promise<void> {
  const resolved = resolveOptions(options)
  warnUnknownOptions(fastify.log, options)
  const addApp = claimApp(fastify, resolved.name, { routes: routeUrls(fastify.prefix + resolved.prefix, resolved), queue: resolved.queue?.name })
  const single = resolved.tenants === undefined ? singleApp(fastify, resolved) : undefined
  const side = single ?? tenantApp(fastify, resolved as typeof resolved & { tenants: TenantOptions })
  fastify.addHook('onReady', async () => { side.start() })
  // Nothing lost on close: no new event once close() starts; what is under way settles, for at most closeTimeout.
  fastify.addHook('preClose', async () => { side.stop() })
  fastify.addHook('onClose', async () => { await side.close() })
  const decorator = createDecorator(side.members, { handlerTimeout: resolved.handlerTimeout, cacheTrigger: side.cacheTrigger })
  const { sources, requestForm } = side.bind(decorator)
  if (resolved.presence !== undefined && single !== undefined) {
    const presence = createServerPresence(resolved.presence, { webhooks: decorator.pusher.webhooks, api: single.serverApi, fastify, handlerTimeout: resolved.handlerTimeout })
    Object.assign(decorator.pusher, { presence })
    warnWithoutPresenceRoute(fastify, resolved.prefix)
  }
  addApp(decorator.pusher, requestForm)
  await fastify.register(pusherRoutes, {
    prefix: resolved.prefix,
    authPath: resolved.authPath,
    userAuthPath: resolved.userAuthPath,
    sources,
    decorator,
    routeOptions: resolved.routeOptions,
    webhooks: resolved.webhooks
  })
}

/** The routes an app declares, as `POST {url}`: two apps may not share one. */
function routeUrls (base: string, { authPath, userAuthPath, routeOptions }: ReturnType<typeof resolveOptions>): string[] {
  return [
    routeOptions.auth === false ? [] : [authPath],
    routeOptions.userAuth === false ? [] : [userAuthPath],
    routeOptions.webhooks === false ? [] : WEBHOOK_PATHS
  ].flat().map((path) => `POST ${base}${path}`)
}

export const fastifyPusher = fp(plugin, { fastify: '5.x', name: 'fastify-pusher' })
export default fastifyPusher

// Named one by one (not `export *`) so that Node's ESM loader sees every name of the CommonJS build.
export {
  AuthRequestBody, BatchAuthResponse, ChannelAuthResponse, ChannelName, SocketId,
  AuthResponse, SingleAuthRequestBody, BatchAuthRequestBody, AuthRequestBodyDoc,
  UserAuthRequestBody, UserAuthResponse, ErrorResponse, WebhookResponse, SOCKET_ID_MAX_LENGTH,
  ChannelExistenceEvent, ChannelExistenceWebhook, ChannelOccupiedEvent, ChannelVacatedEvent,
  PresenceEvent, PresenceWebhook, MemberAddedEvent, MemberRemovedEvent,
  ClientEvent, ClientEventWebhook, SubscriptionCountEvent, SubscriptionCountWebhook,
  CacheMissEvent, CacheMissWebhook, WebhookEvent, WebhookPayload,
  CHANNEL_NAME_PATTERN, CHANNEL_NAME_MAX_LENGTH, SOCKET_ID_PATTERN, MAX_BATCH_CHANNELS
} from './lib/schemas'
export { redisDedupeStore } from './lib/webhooks/dedupe/redis-store'
export { memoryDedupeStore } from './lib/webhooks/dedupe/memory-store'
export { redisPresenceStore } from './lib/presence/redis-store'
export { memoryPresenceStore } from './lib/presence/memory-store'
export { diagnosticChannels } from './lib/telemetry/channels'
export * as errors from './lib/errors'
export type * from './types/index'

// Every import style works (each is tested against the built output):
//   const fastifyPusher = require('fastify-pusher')            // the plugin itself
//   const { fastifyPusher } = require('fastify-pusher')
//   const fastifyPusher = require('fastify-pusher').default
//   import fastifyPusher from 'fastify-pusher'                  // ESM and TypeScript
//   import { fastifyPusher } from 'fastify-pusher'
// In CommonJS the module is the plugin function, carrying the named exports.
module.exports = Object.assign(fastifyPusher, module.exports)
