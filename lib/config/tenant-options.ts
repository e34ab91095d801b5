import type { FastifyRequest } from 'fastify'
import type { FastifyPusherOptions, MaybePromise, TenantLookup } from '../../types/index'
import { InvalidOptionError } from '../errors'
import { isObject } from './is-object'

/** The `tenants` option, checked: one registration serving many apps (lib/apps/tenants.ts). */
export interface TenantOptions {
  credentials: (lookup: TenantLookup) => MaybePromise<unknown>
  fromRequest?: (request: FastifyRequest) => MaybePromise<unknown>
  /** ms a tenant's credentials are used before they are looked up again. */
  cacheMs: number
  /** The most tenants held at once (clients, batch queues, keep-alive pools). */
  max: number
  /** The API timeout of every tenant's calls (the `timeout` option). */
  timeout: number
}

export const DEFAULT_TENANT_CACHE_MS = 60_000
export const DEFAULT_TENANT_MAX = 1000

/** Options that name one app's credentials or client, or hold state that is not kept per tenant. */
const SINGLE_APP_OPTIONS = ['appId', 'key', 'secret', 'cluster', 'host', 'port', 'useTLS', 'encryptionMasterKeyBase64', 'url', 'path', 'agent', 'client', 'webhookKeys', 'presence'] as const

const WHY: Partial<Record<typeof SINGLE_APP_OPTIONS[number], string>> = {
  agent: 'each tenant has its own keep-alive pool',
  webhookKeys: 'each webhook is checked with its tenant\'s key and secret',
  presence: 'the presence store is kept for one app'
}

function wholeNumber (name: string, value: unknown, defaultValue: number, min: number): number {
  if (value === undefined) return defaultValue
  if (!Number.isSafeInteger(value) || (value as number) < min || (value as number) > 2 ** 31 - 1) {
    throw new InvalidOptionError(`tenants.${name}`, `must be a whole number from ${min} to 2147483647, got a ${typeof value}`)
  }
  return value as number
}

export function resolveTenantOptions (options: FastifyPusherOptions, timeout: number): TenantOptions {
  const tenants: unknown = options.tenants
  if (!isObject(tenants)) throw new InvalidOptionError('tenants', 'must be an object: { credentials(lookup), fromRequest?(request), cacheMs?, max? }')
  for (const name of SINGLE_APP_OPTIONS) {
    if (options[name] !== undefined) {
      throw new InvalidOptionError('tenants', `cannot be combined with ${name}: ${WHY[name] ?? 'each tenant\'s credentials come from tenants.credentials()'}`)
    }
  }
  const { credentials, fromRequest } = tenants
  if (typeof credentials !== 'function') throw new InvalidOptionError('tenants.credentials', `must be a function of { appId } or { key }, got a ${typeof credentials}`)
  if (fromRequest !== undefined && typeof fromRequest !== 'function') throw new InvalidOptionError('tenants.fromRequest', `must be a function of the request, got a ${typeof fromRequest}`)
  const routes = options.routeOptions as { auth?: unknown, userAuth?: unknown } | undefined
  if (fromRequest === undefined && (routes?.auth !== false || routes?.userAuth !== false)) {
    throw new InvalidOptionError('tenants.fromRequest', 'is needed by the auth routes, to choose whose secret signs: set it, or leave the routes out (routeOptions: { auth: false, userAuth: false })')
  }
  const resolved: TenantOptions = {
    credentials: credentials as TenantOptions['credentials'],
    cacheMs: wholeNumber('cacheMs', tenants.cacheMs, DEFAULT_TENANT_CACHE_MS, 0),
    max: wholeNumber('max', tenants.max, DEFAULT_TENANT_MAX, 1),
    timeout
  }
  if (fromRequest !== undefined) resolved.fromRequest = fromRequest as TenantOptions['fromRequest']
  return resolved
}
