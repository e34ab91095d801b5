import type { FastifyInstance } from 'fastify'
import type { FastifyPusherPresence, FastifyPusherWebhooks } from '../../types/index'
import type { PresenceOptions } from '../config/presence-options'
import { feedPresence } from './feed'
import { createPresence } from './presence'
import { createSync, type PresenceApi } from './sync'

/** `app.pusher.presence`: the store, fed by the webhooks from now on, its queries and `sync`. */
export function createServerPresence (
  options: PresenceOptions,
  { webhooks, api, fastify, handlerTimeout }: { webhooks: FastifyPusherWebhooks, api: PresenceApi, fastify: FastifyInstance, handlerTimeout: number }
): FastifyPusherPresence {
  const presence = createPresence(options, { handlerTimeout })
  feedPresence(webhooks, options.store, presence)
  return { ...presence.queries, sync: createSync(options.store, presence.apply, api, fastify.log) }
}

/**
 * The store is fed only by the presence webhooks: once the app is ready, one warning when neither
 * POST {prefix}/events/presence nor POST {prefix}/events is declared (`routeOptions.webhooks: false`).
 */
export function warnWithoutPresenceRoute (fastify: FastifyInstance, prefix: string): void {
  const base = `${fastify.prefix}${prefix}`
  fastify.addHook('onReady', async () => {
    if ([`${base}/events/presence`, `${base}/events`].some((url) => fastify.hasRoute({ method: 'POST', url }))) return
    fastify.log.warn(`fastify-pusher: presence is on, but no route receives the presence webhooks (POST ${base}/events/presence or ${base}/events): the store learns only from sync()`)
  })
}
