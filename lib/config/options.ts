import type { Agent } from 'node:http'
import type Pusher = require('pusher')
import type { FastifyPusherOptions } from '../../types/index'
import { InvalidOptionError, MissingOptionError } from '../errors'
import { resolveRouteOptions, type ResolvedRouteOptions } from './route-options'
import { resolvePresenceOptions, type PresenceOptions } from './presence-options'
import { resolveQueueOptions, type QueueOptions } from './queue-options'
import { resolveSendOptions, type SendOptions } from './send-options'
import { resolveWebhookOptions, type WebhookOptions } from './webhook-options'
import { resolveTenantOptions, type TenantOptions } from './tenant-options'
import { isObject } from './is-object'

type Env = Record<string, string | undefined>

/** The environment variable each option falls back to (Flask-Pusher's names). */
export const ENV_NAMES = {
  appId: 'PUSHER_APP_ID',
  key: 'PUSHER_KEY',
  secret: 'PUSHER_SECRET',
  cluster: 'PUSHER_CLUSTER',
  host: 'PUSHER_HOST',
  port: 'PUSHER_PORT',
  useTLS: 'PUSHER_USE_TLS',
  timeout: 'PUSHER_TIMEOUT',
  encryptionMasterKeyBase64: 'PUSHER_ENCRYPTION_MASTER_KEY_BASE64',
  url: 'PUSHER_URL',
  path: 'PUSHER_PATH',
  authPath: 'PUSHER_AUTH'
} as const

type EnvOption = keyof typeof ENV_NAMES

/** Options that configure a client, and so cannot be combined with `client`. */
const CLIENT_OPTIONS = ['appId', 'key', 'secret', 'cluster', 'host', 'port', 'useTLS', 'timeout', 'encryptionMasterKeyBase64', 'url', 'path', 'agent'] as const

export const DEFAULT_PREFIX = '/pusher'
export const DEFAULT_AUTH_PATH = '/auth'
export const DEFAULT_USER_AUTH_PATH = '/user-auth'
export const DEFAULT_TIMEOUT = 5000
export const DEFAULT_HANDLER_TIMEOUT = 10_000

/** What the official `pusher` constructor receives (its own types call `port` a string; it takes a number too). */
export interface ClientConfig {
  appId: string
  key: string
  secret: string
  useTLS: boolean
  timeout: number
  cluster?: string
  host?: string
  port?: number
  /** A server under a path: every API call goes to `{path}/apps/{appId}/...` (signed so). */
  path?: string
  encryptionMasterKeyBase64?: string
  agent?: Agent
}

export interface ResolvedOptions extends SendOptions {
  /** A named app (`app.pusher.apps[name]`); undefined for the default one. */
  name?: string
  /** Set when the user passed a ready client; otherwise `clientConfig` is. */
  client?: Pusher
  clientConfig?: ClientConfig
  prefix: string
  authPath: string
  userAuthPath: string
  routeOptions: ResolvedRouteOptions
  webhooks: WebhookOptions
  /** ms a handler may take before its route answers FST_PUSHER_HANDLER_TIMEOUT; 0 for none. */
  handlerTimeout: number
  /** Durable sending, when the `queue` option is set. */
  queue?: QueueOptions
  /** The presence store, when the `presence` option is set. */
  presence?: PresenceOptions
  /** Many apps, their credentials looked up (the `tenants` option): then neither `client` nor `clientConfig` is set. */
  tenants?: TenantOptions
}

/**
 * Options + PUSHER_* environment -> validated configuration.
 * Explicit options win over the environment; both win over the parts of `url`.
 * Every problem is an FST_PUSHER_* error that names the option.
 * (Fastify itself refuses plugin options that are not an object.)
 */
export function resolveOptions (options: FastifyPusherOptions, env: Env = process.env): ResolvedOptions {
  const read = (name: EnvOption): unknown => {
    if (options[name] !== undefined) return options[name]
    const value = env[ENV_NAMES[name]]
    return value === '' ? undefined : value
  }

  const resolved: ResolvedOptions = {
    name: resolveName(options.name),
    prefix: resolvePrefix(options.prefix),
    authPath: resolvePath('authPath', read('authPath'), DEFAULT_AUTH_PATH),
    userAuthPath: resolvePath('userAuthPath', options.userAuthPath, DEFAULT_USER_AUTH_PATH),
    routeOptions: resolveRouteOptions(options.routeOptions),
    webhooks: resolveWebhookOptions(options),
    handlerTimeout: resolveHandlerTimeout(options.handlerTimeout),
    queue: resolveQueueOptions(options),
    presence: resolvePresenceOptions(options.presence),
    ...resolveSendOptions(options)
  }
  if (resolved.authPath === resolved.userAuthPath) {
    throw new InvalidOptionError('userAuthPath', 'must differ from authPath')
  }

  if (options.tenants !== undefined) {
    resolved.tenants = resolveTenantOptions(options, parseTimeout(read('timeout') ?? DEFAULT_TIMEOUT))
    return resolved
  }

  if (options.client !== undefined) {
    const given = CLIENT_OPTIONS.filter((name) => options[name] !== undefined)
    if (given.length > 0) {
      throw new InvalidOptionError('client', `a ready client cannot be combined with ${given.join(', ')}`)
    }
    resolved.client = options.client
    return resolved
  }

  const fromUrl = parseUrl(read('url'))
  const config: ClientConfig = {
    appId: requiredString('appId', read('appId') ?? fromUrl.appId),
    key: requiredString('key', read('key') ?? fromUrl.key),
    secret: requiredString('secret', read('secret') ?? fromUrl.secret),
    useTLS: parseBoolean('useTLS', read('useTLS') ?? fromUrl.useTLS ?? true),
    timeout: parseTimeout(read('timeout') ?? DEFAULT_TIMEOUT)
  }
  const cluster = optionalString('cluster', read('cluster'))
  const host = optionalString('host', read('host') ?? fromUrl.host)
  const port = parsePort(read('port') ?? fromUrl.port)
  const masterKey = parseMasterKey(read('encryptionMasterKeyBase64'))
  const path = parsePath(read('path') ?? fromUrl.path)
  if (cluster !== undefined) config.cluster = cluster
  if (host !== undefined) config.host = host
  if (port !== undefined) config.port = port
  if (masterKey !== undefined) config.encryptionMasterKeyBase64 = masterKey
  if (path !== undefined) config.path = path
  if (options.agent !== undefined) {
    if (options.agent === null || typeof options.agent !== 'object') {
      throw new InvalidOptionError('agent', 'must be an http.Agent or https.Agent')
    }
    config.agent = options.agent
  }
  resolved.clientConfig = config
  return resolved
}

/**
 * What a tenant's `credentials()` resolved to, checked as the options are -> the client's configuration.
 * Nothing is read from the environment. A problem names the field, never its value.
 */
export function tenantClientConfig (credentials: unknown, timeout: number): ClientConfig {
  if (!isObject(credentials)) throw new InvalidOptionError('tenants.credentials()', `must resolve to an object or undefined, got ${kind(credentials)}`)
  const field = <T>(name: EnvOption, parse: (value: unknown) => T): T => {
    try {
      return parse(credentials[name])
    } catch (error) {
      throw new InvalidOptionError(`tenants.credentials().${name}`, name === 'secret' ? 'must be a non-empty string' : String((error as Error).message).replace(/^Invalid option "[^"]*": /, ''))
    }
  }
  const required = (name: 'appId' | 'key' | 'secret'): string => field(name, (value) => {
    const result = optionalString(name, value)
    if (result === undefined) throw new InvalidOptionError(name, 'is missing')
    return result
  })
  const config: ClientConfig = {
    appId: required('appId'),
    key: required('key'),
    secret: required('secret'),
    useTLS: field('useTLS', (value) => parseBoolean('useTLS', value ?? true)),
    timeout
  }
  const cluster = field('cluster', (value) => optionalString('cluster', value))
  const host = field('host', (value) => optionalString('host', value))
  if (cluster === undefined && host === undefined) throw new InvalidOptionError('tenants.credentials()', 'needs a cluster or a host')
  const port = field('port', parsePort)
  const path = field('path', parsePath)
  const masterKey = field('encryptionMasterKeyBase64', parseMasterKey)
  if (cluster !== undefined) config.cluster = cluster
  if (host !== undefined) config.host = host
  if (port !== undefined) config.port = port
  if (path !== undefined) config.path = path
  if (masterKey !== undefined) config.encryptionMasterKeyBase64 = masterKey
  return config
}

function resolveHandlerTimeout (value: unknown): number {
  if (value === undefined) return DEFAULT_HANDLER_TIMEOUT
  if (!Number.isSafeInteger(value) || (value as number) < 0 || (value as number) > 2 ** 31 - 1) {
    throw new InvalidOptionError('handlerTimeout', `must be a whole number of milliseconds up to 2147483647 (0 for none), got ${kind(value)}`)
  }
  return value as number
}

/** An app's name: a letter, then letters, digits, `_` or `-` (64 at most), so that it reads as a property and keys stores. */
function resolveName (name: unknown): string | undefined {
  if (name === undefined) return undefined
  if (typeof name !== 'string' || !/^[A-Za-z][\w-]{0,63}$/.test(name)) {
    throw new InvalidOptionError('name', `must be a letter, then letters, digits, _ or - (at most 64), got ${kind(name)}`)
  }
  return name
}

function resolvePrefix (prefix: unknown): string {
  if (prefix === undefined) return DEFAULT_PREFIX
  if (typeof prefix !== 'string' || (prefix !== '' && !prefix.startsWith('/'))) {
    throw new InvalidOptionError('prefix', 'must be a path that starts with "/" (or "" for none)')
  }
  return prefix.replace(/\/+$/, '')
}

function resolvePath (name: string, path: unknown, defaultPath: string): string {
  if (path === undefined) return defaultPath
  if (typeof path !== 'string' || !/^\/./.test(path)) {
    throw new InvalidOptionError(name, 'must be a path that starts with "/"')
  }
  return path
}

interface UrlParts { appId?: string, key?: string, secret?: string, host?: string, port?: string, useTLS?: boolean, path?: string }

/** `https://KEY:SECRET@HOST[:PORT][/PATH]/apps/APP_ID`, as Flask-Pusher and the official client take it (with a path before `/apps/`). */
function parseUrl (value: unknown): UrlParts {
  if (value === undefined) return {}
  const shape = 'must look like https://KEY:SECRET@HOST[:PORT][/PATH]/apps/APP_ID'
  if (typeof value !== 'string' || !URL.canParse(value)) throw new InvalidOptionError('url', shape)
  const url = new URL(value)
  const [, path, appId] = /^(\/.*?)?\/apps\/([^/]+)\/?$/.exec(url.pathname) ?? []
  if ((url.protocol !== 'http:' && url.protocol !== 'https:') || appId === undefined) {
    throw new InvalidOptionError('url', shape)
  }
  // A malformed %-escape (e.g. `s%E0`) is the url's fault, said without its value.
  const decode = (part: string): string => {
    try {
      return decodeURIComponent(part)
    } catch {
      throw new InvalidOptionError('url', `${shape}, with every %-escape valid`)
    }
  }
  const parts: UrlParts = { appId: decode(appId), host: url.hostname, useTLS: url.protocol === 'https:' }
  if (url.username !== '') parts.key = decode(url.username)
  if (url.password !== '') parts.secret = decode(url.password)
  if (url.port !== '') parts.port = url.port
  if (path !== undefined) {
    if (!PATH.test(path)) throw new InvalidOptionError('url', `${shape}, its PATH made of URL path segments`)
    parts.path = path
  }
  return parts
}

/** `/a/b`: segments of URL path characters, no `.` or `..` segment, no trailing `/` (one is dropped). */
const PATH = /^(?:\/(?!\.\.?(?:\/|$))(?:[A-Za-z0-9\-._~!$&'()*+,;=:@]|%[0-9A-Fa-f]{2})+)+$/

function parsePath (value: unknown): string | undefined {
  if (value === undefined) return undefined
  const path = typeof value === 'string' && value.length > 1 && value.endsWith('/') ? value.slice(0, -1) : value
  if (path === '/' || path === '') return undefined
  if (typeof path !== 'string' || path.length > 1024 || !PATH.test(path)) {
    throw new InvalidOptionError('path', `must be a URL path such as /ws-path: segments after "/", without ?, # or spaces, got ${kind(value)}`)
  }
  return path
}

/** What a value is, never the value itself (it may be a secret given to the wrong option). */
const kind = (value: unknown): string =>
  typeof value === 'string' ? 'a string' : `a ${typeof value}`

function requiredString (name: EnvOption, value: unknown): string {
  const result = optionalString(name, value)
  if (result === undefined) throw new MissingOptionError(name, ENV_NAMES[name])
  return result
}

function optionalString (name: EnvOption, value: unknown): string | undefined {
  if (value === undefined) return undefined
  if (typeof value === 'number' && name === 'appId' && Number.isInteger(value)) return String(value)
  if (typeof value !== 'string' || value === '') {
    throw new InvalidOptionError(name, 'must be a non-empty string')
  }
  return value
}

function parsePort (value: unknown): number | undefined {
  if (value === undefined) return undefined
  const port = typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value
  if (typeof port !== 'number' || !Number.isInteger(port) || port < 1 || port > 65535) {
    throw new InvalidOptionError('port', `must be a port number from 1 to 65535, got ${typeof port === 'number' ? 'a number out of range' : kind(value)}`)
  }
  return port
}

function parseBoolean (name: EnvOption, value: unknown): boolean {
  if (typeof value === 'boolean') return value
  if (value === 'true' || value === '1') return true
  if (value === 'false' || value === '0') return false
  throw new InvalidOptionError(name, `must be true or false (in ${ENV_NAMES[name]}: true, 1, false or 0), got ${kind(value)}`)
}

function parseTimeout (value: unknown): number {
  const timeout = typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value
  if (typeof timeout !== 'number' || !Number.isSafeInteger(timeout) || timeout < 0) {
    throw new InvalidOptionError('timeout', `must be a whole number of milliseconds (0 for none), got ${kind(value)}`)
  }
  return timeout
}

function parseMasterKey (value: unknown): string | undefined {
  if (value === undefined) return undefined
  // Never echo the value: it is a secret.
  const message = 'must be the base64 encoding of exactly 32 bytes (e.g. `openssl rand -base64 32`)'
  if (typeof value !== 'string' || !/^[A-Za-z0-9+/]+={0,2}$/.test(value) || value.length % 4 !== 0) {
    throw new InvalidOptionError('encryptionMasterKeyBase64', message)
  }
  if (Buffer.from(value, 'base64').length !== 32) {
    throw new InvalidOptionError('encryptionMasterKeyBase64', message)
  }
  return value
}
