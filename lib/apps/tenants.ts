import type { FastifyBaseLogger, FastifyRequest } from 'fastify'
import type { MaybePromise, PusherSender, TenantLookup } from '../../types/index'
import { callHandler, isPromiseLike, then } from '../call-handler'
import type { ClientConfig } from '../config/options'
import type { TenantOptions } from '../config/tenant-options'
import { ClosedError, HandlerTimeoutError, UnknownAppError, WebhookKeyError } from '../errors'
import type { Senders } from '../send/app-senders'
import { tenantFront } from './tenant-front'
import { withTimeout } from '../handler-timeout'
import { TenantCache } from './tenant-cache'
import { tenantLookup } from './tenant-lookup'

/** What the tenant registry needs of a tenant. */
export interface HeldTenant {
  appId: string
  key: string
  client: PusherSender['client']
  senders: Senders
  /** Its calls settle, then its pool closes. */
  release: () => Promise<void>
  /** Refuses every later call (FST_PUSHER_CLOSED): app close. */
  triggers: { close: () => void }
  sender: { abort: () => void, cutOff: () => number }
}

export interface TenantsOptions<Tenant extends HeldTenant> {
  tenants: TenantOptions
  handlerTimeout: number
  log: FastifyBaseLogger
  open: (config: ClientConfig) => Tenant
}

/** A name an app may go by: an app id or key, at most 200 visible ASCII characters (a whole number reads as its digits). */
function appName (value: unknown): string | undefined {
  const name = Number.isSafeInteger(value) ? String(value) : value
  return typeof name === 'string' && name.length <= 200 && /^[\x21-\x7e]+$/.test(name) ? name : undefined
}

/** An app id or key, or `{ appId }` / `{ key }`, as a name or a lookup; undefined when it names nothing usable. */
function namedApp (answer: unknown): string | TenantLookup | undefined {
  const name = appName(answer)
  if (name !== undefined) return name
  const { appId, key } = (answer ?? {}) as { appId?: unknown, key?: unknown }
  const [id, byKey] = [appName(appId), appName(key)]
  if (id !== undefined && key === undefined) return { appId: id }
  if (byKey !== undefined && appId === undefined) return { key: byKey }
  return undefined
}

/**
 * The tenants of one registration (the `tenants` option): their credentials looked up and cached, each
 * opened as an app of its own. The routes ask for the request's tenant (the auth routes by `fromRequest`,
 * the webhook routes by X-Pusher-Key), and remember it for the request; `forApp` for the app's sends;
 * the durable queue's worker for a job's app id.
 */
export function createTenants<Tenant extends HeldTenant> ({ tenants: options, handlerTimeout, log, open }: TenantsOptions<Tenant>) {
  const live = new Set<Tenant>()
  const releasing = new Set<Promise<void>>()
  let closing = false
  const release = (tenant: Tenant): void => {
    const closed = tenant.release().catch(() => {}).finally(() => {
      live.delete(tenant)
      releasing.delete(closed)
    })
    releasing.add(closed)
  }
  const cache = new TenantCache<Tenant>({
    lookup: tenantLookup(options, handlerTimeout, log),
    open: (config) => {
      // Closing: no tenant is opened any more (its pool would outlive close()).
      if (closing) throw new ClosedError()
      const tenant = open(config)
      live.add(tenant)
      return tenant
    },
    close: release,
    cacheMs: options.cacheMs,
    max: options.max
  })
  const ofRequest = new WeakMap<FastifyRequest, Tenant>()
  const fromRequest = options.fromRequest === undefined ? undefined : withTimeout(options.fromRequest, 'tenants.fromRequest', handlerTimeout, HandlerTimeoutError)

  const known = (request: FastifyRequest, tenant: Tenant | undefined): Tenant => {
    if (tenant === undefined) throw new UnknownAppError('no app is known for this request')
    ofRequest.set(request, tenant)
    return tenant
  }
  /** The senders of the tenant held now under this app id: looked up again when stale or let go. */
  const currentSenders = (appId: string) => async (): Promise<Senders> => {
    const tenant = await cache.get({ appId })
    if (tenant === undefined) throw new UnknownAppError(`no app is known by ${JSON.stringify(appId)}`)
    return tenant.senders
  }
  const frontOf = (tenant: Tenant): PusherSender => tenantFront(tenant.appId, tenant, currentSenders(tenant.appId))

  return {
    /** `app.pusher.forApp(appIdOrKey)`. */
    forApp: async (app: string | number | TenantLookup): Promise<PusherSender> => {
      const name = namedApp(app)
      if (name === undefined) throw new UnknownAppError('forApp() takes an app id or key (at most 200 visible ASCII characters), or { appId } or { key }')
      const tenant = await cache.get(name)
      if (tenant === undefined) throw new UnknownAppError(`no app is known by ${JSON.stringify(typeof name === 'string' ? name : name.appId ?? name.key)}`)
      return frontOf(tenant)
    },

    /** The auth routes: the tenant `fromRequest` names (404 FST_PUSHER_UNKNOWN_APP when none). Sync when it is held. */
    forAuth: (request: FastifyRequest): MaybePromise<Tenant> => {
      const answer = callHandler('tenants.fromRequest', fromRequest!, request, undefined)
      return then(answer, (value) => {
        const name = namedApp(value)
        if (name === undefined) return known(request, undefined)
        const tenant = cache.get(name)
        return isPromiseLike(tenant) ? tenant.then((found) => known(request, found)) : known(request, tenant)
      })
    },

    /** The webhook routes: the tenant whose key X-Pusher-Key is (403, as a wrong key, when none). */
    forWebhook: (request: FastifyRequest): MaybePromise<Tenant> => {
      const key = request.headers['x-pusher-key']
      if (typeof key !== 'string' || appName(key) === undefined) throw new WebhookKeyError()
      const found = (tenant: Tenant | undefined): Tenant => {
        if (tenant === undefined) throw new WebhookKeyError()
        ofRequest.set(request, tenant)
        return tenant
      }
      const tenant = cache.get({ key })
      return isPromiseLike(tenant) ? tenant.then(found) : found(tenant)
    },

    /** The tenant a route found for this request, if any. */
    found: (request: FastifyRequest): Tenant | undefined => ofRequest.get(request),

    /** `request.pusher`'s sends: the route's tenant's, else the one `fromRequest` names (sent to it as held at each call). */
    forSend: async (request: FastifyRequest): Promise<Senders> => {
      let tenant = ofRequest.get(request)
      if (tenant === undefined) {
        if (fromRequest === undefined) throw new UnknownAppError('no app is known for this request (set tenants.fromRequest, or use app.pusher.forApp())')
        const name = namedApp(await callHandler('tenants.fromRequest', fromRequest, request, undefined))
        tenant = known(request, name === undefined ? undefined : await cache.get(name))
      }
      return frontOf(tenant)
    },

    /** The durable queue's worker: the tenant of a job's app id. */
    forJob: async (appId: string): Promise<Tenant> => {
      const tenant = await cache.get({ appId })
      if (tenant === undefined) throw new UnknownAppError(`no app is known by the job's app id ${JSON.stringify(appId)}`)
      return tenant
    },

    /** The API refused a tenant's credentials: they are looked up again at its next use. */
    stale: (appId: string): void => { cache.stale(appId) },

    /** App close: every tenant refuses new calls. */
    close: (): void => {
      closing = true
      for (const tenant of live) tenant.triggers.close()
    },
    /** Every tenant held or being let go. */
    live: (): Tenant[] => [...live],
    /** Resolves once every tenant let go is closed. */
    released: async (): Promise<void> => { await Promise.all([...releasing]) }
  }
}

export type Tenants<Tenant extends HeldTenant> = ReturnType<typeof createTenants<Tenant>>
