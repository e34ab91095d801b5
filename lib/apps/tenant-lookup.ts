import type { FastifyBaseLogger } from 'fastify'
import type { TenantLookup } from '../../types/index'
import { tenantClientConfig, type ClientConfig } from '../config/options'
import type { TenantOptions } from '../config/tenant-options'
import { TenantUnavailableError } from '../errors'

/**
 * `tenants.credentials(lookup)`, bounded by `handlerTimeout` (0: no bound; lookups under way are at most `max`) and checked:
 * resolves to the tenant's client configuration, or undefined for an unknown tenant. A lookup that throws,
 * takes too long or answers invalid credentials is logged at error level (never with the credentials, nor
 * the name asked for, which may come from a client) and rejects with FST_PUSHER_TENANT_UNAVAILABLE (503).
 * Another app's credentials (a lookup that matched loosely, say a key in another case) are no answer: the
 * tenant is unknown, and a warning says so.
 */
export function tenantLookup (options: TenantOptions, handlerTimeout: number, log: FastifyBaseLogger) {
  const unavailable = (why: string, err?: unknown): never => {
    log.error(err === undefined ? {} : { err }, `fastify-pusher: a tenant lookup failed: ${why}`)
    throw new TenantUnavailableError(why)
  }
  return async (lookup: TenantLookup): Promise<ClientConfig | undefined> => {
    let found: unknown
    let timer: NodeJS.Timeout | undefined
    try {
      const answer = Promise.resolve().then(async () => await options.credentials(lookup))
      found = handlerTimeout === 0
        ? await answer
        : await Promise.race([answer, new Promise((resolve, reject) => { timer = setTimeout(() => { reject(kTimedOut) }, handlerTimeout) })])
    } catch (error) {
      if (error === kTimedOut) unavailable(`tenants.credentials() did not answer within ${handlerTimeout} ms`)
      unavailable('tenants.credentials() threw', error)
    } finally {
      clearTimeout(timer)
    }
    if (found === undefined || found === null) return undefined
    let config: ClientConfig
    try {
      config = tenantClientConfig(found, options.timeout)
    } catch (error) {
      // The message names the field, never its value.
      return unavailable((error as Error).message)
    }
    if (lookup.appId !== undefined ? config.appId !== lookup.appId : config.key !== lookup.key) {
      log.warn(`fastify-pusher: tenants.credentials() answered another app's credentials for ${lookup.appId !== undefined ? 'an app id' : 'a key'}: taken as an unknown tenant`)
      return undefined
    }
    return config
  }
}

const kTimedOut = Symbol('timed out')
