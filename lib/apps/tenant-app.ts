import type { FastifyInstance } from 'fastify'
import type Pusher = require('pusher')
import type { FastifyPusherQueue } from '../../types/index'
import type { ResolvedOptions } from '../config/options'
import type { TenantOptions } from '../config/tenant-options'
import type { SendingMembers } from '../decorator'
import { TenantRequiredError } from '../errors'
import { drainWithin } from '../send/drain-within'
import { createQueueing } from '../queue/queueing'
import { queueNotConfigured } from '../queue/not-configured'
import { then } from '../call-handler'
import type { AppSide } from './app-side'
import { openTenant, type Tenant } from './tenant'
import { createTenants } from './tenants'
import { requestForm } from '../send/request-pusher'

const SENDING = ['client', 'key', 'trigger', 'triggerBatch', 'notify', 'queue', 'sendToUser', 'terminateUserConnections', 'channelInfo', 'channelsInfo', 'presenceUsers'] as const

/**
 * One registration serving many apps (the `tenants` option): each tenant a client, batch queue and pool
 * of its own, opened on first use and held in a bounded cache. `fastify.pusher`'s senders say to use
 * forApp(); the routes sign and check with the request's tenant; one durable queue carries every
 * tenant's jobs, each with its app id, and the worker finds the credentials by it.
 */
export function tenantApp (fastify: FastifyInstance, resolved: ResolvedOptions & { tenants: TenantOptions }): AppSide {
  const deliveryPrefix = resolved.name === undefined ? '' : `${resolved.name}:`
  // Made by bind(), once the decorator (handlers and rules) exists: before any hook or request.
  let tenants!: ReturnType<typeof createTenants<Tenant>>
  const queueing = resolved.queue === undefined
    ? undefined
    : createQueueing({
      queue: resolved.queue,
      clientFor: async (appId) => (await tenants.forJob(appId)).sender.client,
      refused: (appId) => { tenants.stale(appId) },
      ...resolved.send,
      timeout: resolved.tenants.timeout,
      log: fastify.log
    })
  const queueOf = (appId: string, _client: Pusher, isClosing: () => boolean): FastifyPusherQueue =>
    queueing === undefined ? queueNotConfigured : queueing.apiFor(appId, isClosing)

  const members = Object.defineProperties({
    forApp: async (app: Parameters<SendingMembers['forApp']>[0]) => await tenants.forApp(app)
  }, Object.fromEntries(SENDING.map((member) => [member, {
    enumerable: true,
    get: () => { throw new TenantRequiredError(`${resolved.name === undefined ? 'app.pusher' : `app.pusher.apps.${resolved.name}`}.${member}`) }
  }]))) as SendingMembers

  return {
    members,
    cacheTrigger: async (channel, event, data, request) => await (await tenants.forSend(request)).trigger(channel, event, data),
    bind: (decorator) => {
      tenants = createTenants<Tenant>({
        tenants: resolved.tenants,
        handlerTimeout: resolved.handlerTimeout,
        log: fastify.log,
        open: (config) => openTenant(config, { send: { ...resolved, timeout: resolved.tenants.timeout }, decorator, deliveryPrefix, queueOf })
      })
      const registry = tenants
      return {
        sources: {
          authContext: (request) => then(registry.forAuth(request), (tenant) => tenant.auth),
          webhookSigner: (request) => then(registry.forWebhook(request), (tenant) => tenant.webhook)
        },
        requestForm: requestForm(async (request) => await registry.forSend(request), { ...resolved.send, queued: queueing !== undefined }, (request) => {
          const tenant = registry.found(request)
          return tenant === undefined ? undefined : { appId: tenant.appId, key: tenant.key }
        })
      }
    },
    start: () => { queueing?.start() },
    stop: () => { tenants.close() },
    // stop() has refused new tenants and new calls: what is held (read anew at each step) settles, then every pool closes.
    close: async () => {
      const cutOff = {
        abort: () => { for (const tenant of tenants.live()) tenant.sender.abort() },
        cutOff: () => tenants.live().reduce((sum, tenant) => sum + tenant.sender.cutOff(), 0),
        drop: queueing?.forceClose
      }
      const drained = Promise.all([...tenants.live().map(async (tenant) => await tenant.triggers.drain()), queueing?.close(), tenants.released()]).then(() => {})
      await drainWithin(drained, resolved.closeTimeout, cutOff, fastify.log)
      for (const tenant of tenants.live()) tenant.sender.close()
    }
  }
}
