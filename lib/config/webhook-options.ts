import type { FastifyPusherOptions } from '../../types/index'
import { InvalidOptionError } from '../errors'
import type { Dedupe } from '../webhooks/dispatch'
import { memoryDedupeStore } from '../webhooks/dedupe/memory-store'
import type { WebhookDedupeStore } from '../../types/dedupe-store'
import { resolveCount } from './send-options'
import { isObject } from './is-object'

/** The options of the receiving side (Pusher -> server), checked at register time. */
export interface WebhookOptions {
  /** undefined: deduplication off. */
  dedupe: Dedupe | undefined
  /** Extra key/secret pairs a webhook may be signed with. */
  keys: Array<{ key: string, secret: string }>
  /** undefined: no replay window. */
  maxAgeMs: number | undefined
}

/** Longer than Pusher's retry window (5 minutes). */
export const DEFAULT_DEDUPE_TTL_MS = 10 * 60 * 1000
export const DEFAULT_DEDUPE_MAX_ENTRIES = 100_000
/** How long a request's claim on a delivery holds, should that request never finish. */
export const DEFAULT_DEDUPE_LOCK_MS = 60 * 1000
const DAY_MS = 24 * 60 * 60 * 1000

function resolveDedupe (value: unknown): Dedupe | undefined {
  if (value === false) return undefined
  if (value !== undefined && value !== true && !isObject(value)) {
    throw new InvalidOptionError('webhookDedupe', `must be true, false or { ttlMs?, maxEntries?, lockMs?, store? }, got a ${typeof value}`)
  }
  const options = isObject(value) ? value : {}
  for (const name of Object.keys(options)) {
    if (!['ttlMs', 'maxEntries', 'lockMs', 'store'].includes(name)) {
      throw new InvalidOptionError(`webhookDedupe.${name.slice(0, 64)}`, 'is not a dedupe option: use ttlMs, maxEntries, lockMs, store')
    }
  }
  const ttlMs = resolveCount('webhookDedupe.ttlMs', options.ttlMs, DEFAULT_DEDUPE_TTL_MS, 30 * DAY_MS)
  const lockMs = resolveCount('webhookDedupe.lockMs', options.lockMs, DEFAULT_DEDUPE_LOCK_MS, DAY_MS)
  if (options.store !== undefined) {
    const store = options.store as Partial<WebhookDedupeStore> | null
    if (!isObject(store) || typeof store.claim !== 'function' || typeof store.done !== 'function' || typeof store.release !== 'function') {
      throw new InvalidOptionError('webhookDedupe.store', 'must be a dedupe store: an object with claim, done and release (e.g. redisDedupeStore(redis))')
    }
    if (options.maxEntries !== undefined) {
      throw new InvalidOptionError('webhookDedupe.maxEntries', 'bounds the in-memory store only: leave it out with a store')
    }
    return { store: store as WebhookDedupeStore, ttlMs, lockMs }
  }
  const maxEntries = resolveCount('webhookDedupe.maxEntries', options.maxEntries, DEFAULT_DEDUPE_MAX_ENTRIES, 100_000_000)
  return { store: memoryDedupeStore({ maxEntries }), ttlMs, lockMs }
}

function resolveKeys (value: unknown): Array<{ key: string, secret: string }> {
  if (value === undefined) return []
  if (!Array.isArray(value)) throw new InvalidOptionError('webhookKeys', `must be a list of { key, secret }, got a ${typeof value}`)
  return value.map((pair: unknown, i) => {
    if (!isObject(pair)) throw new InvalidOptionError(`webhookKeys[${i}]`, 'must be an object { key, secret }')
    for (const field of ['key', 'secret']) {
      if (typeof pair[field] !== 'string' || pair[field] === '') {
        throw new InvalidOptionError(`webhookKeys[${i}].${field}`, `must be a non-empty string, got a ${typeof pair[field]}`)
      }
    }
    return { key: pair.key as string, secret: pair.secret as string }
  })
}

/** The webhook options, each checked; the messages name the option and never echo a value. */
export function resolveWebhookOptions (options: FastifyPusherOptions): WebhookOptions {
  return {
    dedupe: resolveDedupe(options.webhookDedupe),
    keys: resolveKeys(options.webhookKeys),
    maxAgeMs: options.webhookMaxAgeMs === undefined ? undefined : resolveCount('webhookMaxAgeMs', options.webhookMaxAgeMs, 0, 30 * DAY_MS)
  }
}
