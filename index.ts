import type { FastifyInstance } from 'fastify'
import type { Agent } from 'node:http'
import fp from 'fastify-plugin'
import type { FastifyPusherOptions } from './types/index'
import { checkClient, createClient } from './lib/config/client'
import { createDecorator } from './lib/decorator'
import { resolveOptions } from './lib/config/options'
import { warnUnknownOptions } from './lib/config/unknown-options'
import { pusherRoutes } from './lib/routes'
import { WEBHOOK_PATHS } from './lib/webhooks/routes'
import { createSender } from './lib/send/sender'
import { drainWithin } from './lib/send/drain-within'
import { createNotify } from './lib/send/notify'
import { createQueueing } from './lib/queue/queueing'
import { queueNotConfigured } from './lib/queue/not-configured'
import { createTriggers } from './lib/send/triggers'
import { requestForm } from './lib/send/request-pusher'
import { claimApp } from './lib/apps/registry'
import { createServerApi } from './lib/send/users-and-channels'
import { createServerPresence, warnWithoutPresenceRoute } from './lib/presence/server-presence'

async function plugin (fastify: FastifyInstance, options: FastifyPusherOptions): Promise<void> {
  const resolved = resolveOptions(options)
  warnUnknownOptions(fastify.log, options)
  const addApp = claimApp(fastify, resolved.name, { routes: routeUrls(fastify.prefix + resolved.prefix, resolved), queue: resolved.queue?.name })
  const client = resolved.client !== undefined ? checkClient(resolved.client) : createClient(resolved.clientConfig!)
  const clientConfig = (client as unknown as { config: { timeout?: number, agent?: Agent } }).config
  const timeout = clientConfig.timeout ?? 0
  const sender = createSender(client, {
    timeout,
    agent: clientConfig.agent,
    retries: resolved.retries,
    retryUnsafe: resolved.retryUnsafe
  })
  const triggers = createTriggers(sender.client, resolved.send)
  const queueing = resolved.queue === undefined
    ? undefined
    : createQueueing({ queue: resolved.queue, client: sender.client, ...resolved.send, timeout, isClosing: triggers.isClosing, log: fastify.log })
  fastify.addHook('onReady', async () => { queueing?.start() })
  // Nothing lost on close: no new event once close() starts; every queued and in-flight one settles first
  // (the worker's jobs too; what it has not taken stays in Redis), for at most closeTimeout: then what is
  // still under way is cut off (FST_PUSHER_CLOSED), so close() always ends.
  fastify.addHook('preClose', async () => { triggers.close() })
  fastify.addHook('onClose', async () => {
    const cutOff = { abort: sender.abort, cutOff: sender.cutOff, drop: queueing?.forceClose }
    await drainWithin(Promise.all([triggers.drain(), queueing?.close()]).then(() => {}), resolved.closeTimeout, cutOff, fastify.log)
    sender.close()
  })
  const serverApi = createServerApi(sender.client, { ...resolved.send, isClosing: triggers.isClosing })
  const notify = createNotify(triggers.trigger, resolved.notificationChannel)
  const queue = queueing?.api ?? queueNotConfigured
  const decorator = createDecorator(client, { trigger: triggers.trigger, triggerBatch: triggers.triggerBatch, notify, queue, ...serverApi }, { handlerTimeout: resolved.handlerTimeout })
  if (resolved.presence !== undefined) {
    const presence = createServerPresence(resolved.presence, { webhooks: decorator.pusher.webhooks, api: serverApi, fastify, handlerTimeout: resolved.handlerTimeout })
    Object.assign(decorator.pusher, { presence })
    warnWithoutPresenceRoute(fastify, resolved.prefix)
  }
  addApp(decorator.pusher, requestForm(decorator.pusher, { ...resolved.send, queued: queueing !== undefined }))
  await fastify.register(pusherRoutes, {
    appName: resolved.name,
    prefix: resolved.prefix,
    authPath: resolved.authPath,
    userAuthPath: resolved.userAuthPath,
    client,
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
