import type { FastifyBaseLogger } from 'fastify'

/** Every option the plugin takes, and the ones Fastify's `register` takes itself. */
const KNOWN = [
  'appId', 'key', 'secret', 'cluster', 'host', 'port', 'useTLS', 'timeout', 'encryptionMasterKeyBase64', 'url', 'path', 'agent',
  'client', 'serialize', 'prefix', 'authPath', 'userAuthPath', 'routeOptions', 'retries', 'retryUnsafe', 'batching',
  'batchSize', 'maxInFlight', 'maxEventBytes', 'webhookDedupe', 'webhookKeys', 'webhookMaxAgeMs', 'handlerTimeout',
  'notificationChannel', 'closeTimeout', 'queue', 'presence', 'name', 'tenants', 'logLevel', 'logSerializers'
]

/** Names people reach for (the official client's, pusher-js's, Laravel's), and the option they mean. */
const MEANT: Record<string, string> = {
  encryptionMasterKey: 'encryptionMasterKeyBase64',
  masterKey: 'encryptionMasterKeyBase64',
  forceTLS: 'useTLS',
  encrypted: 'useTLS',
  tls: 'useTLS',
  app_id: 'appId',
  appKey: 'key',
  appSecret: 'secret',
  authEndpoint: 'authPath',
  userAuthEndpoint: 'userAuthPath',
  webhookSecret: 'webhookKeys',
  dedupe: 'webhookDedupe'
}

const byLowerCase = new Map(KNOWN.map((name) => [name.toLowerCase(), name]))

/** The option an unknown name most likely meant, if any. */
export function meantOption (name: string): string | undefined {
  return Object.hasOwn(MEANT, name) ? MEANT[name] : byLowerCase.get(name.toLowerCase())
}

/**
 * Warns (once, at registration) about every option the plugin does not know, naming
 * the one meant when it is a known misspelling or another library's name for it. The
 * values are never logged.
 */
export function warnUnknownOptions (log: FastifyBaseLogger, options: object): void {
  for (const name of Object.keys(options)) {
    if (KNOWN.includes(name)) continue
    const meant = meantOption(name)
    const option = name.slice(0, 64)
    log.warn({ option, meant }, meant === undefined
      ? `fastify-pusher: unknown option "${option}" is ignored`
      : `fastify-pusher: unknown option "${option}" is ignored; did you mean "${meant}"?`)
  }
}
