import type { PresenceLimits, PresenceStore } from '../../types/presence-store'
import { InvalidOptionError } from '../errors'
import { memoryPresenceStore } from '../presence/memory-store'
import { resolveCount } from './send-options'
import { isObject } from './is-object'

/** The `presence` option, checked at register time. */
export interface PresenceOptions {
  store: PresenceStore
  limits: PresenceLimits
}

export const DEFAULT_PRESENCE_MAX_CHANNELS = 10_000
/** Pusher's own limit of members per presence channel (soketi's default too). */
export const DEFAULT_PRESENCE_MAX_MEMBERS = 100
/** Longer than Pusher's retry window (5 minutes). */
export const DEFAULT_PRESENCE_HISTORY_MS = 10 * 60 * 1000
const FIELDS = ['store', 'maxChannels', 'maxMembersPerChannel', 'historyMs']

/** `presence`: undefined or false (off), true (in memory), or `{ store?, maxChannels?, maxMembersPerChannel?, historyMs? }`. */
export function resolvePresenceOptions (value: unknown): PresenceOptions | undefined {
  if (value === undefined || value === false) return undefined
  if (value !== true && !isObject(value)) {
    throw new InvalidOptionError('presence', `must be true, false or { store?, maxChannels?, maxMembersPerChannel?, historyMs? }, got ${Array.isArray(value) ? 'a list' : value === null ? 'null' : `a ${typeof value}`}`)
  }
  const options = isObject(value) ? value : {}
  for (const name of Object.keys(options)) {
    if (!FIELDS.includes(name)) throw new InvalidOptionError(`presence.${name.slice(0, 64)}`, `is not a presence option: use ${FIELDS.join(', ')}`)
  }
  const store = options.store as Partial<PresenceStore> | undefined | null
  if (store !== undefined && (!isObject(store) || ['apply', 'members', 'channelsOf', 'channels'].some((method) => typeof store[method as keyof PresenceStore] !== 'function'))) {
    throw new InvalidOptionError('presence.store', 'must be a presence store: an object with apply, members, channelsOf and channels (e.g. redisPresenceStore(redis))')
  }
  return {
    store: (store as PresenceStore | undefined) ?? memoryPresenceStore(),
    limits: {
      maxChannels: resolveCount('presence.maxChannels', options.maxChannels, DEFAULT_PRESENCE_MAX_CHANNELS, 10_000_000),
      maxMembersPerChannel: resolveCount('presence.maxMembersPerChannel', options.maxMembersPerChannel, DEFAULT_PRESENCE_MAX_MEMBERS, 100_000),
      historyMs: resolveCount('presence.historyMs', options.historyMs, DEFAULT_PRESENCE_HISTORY_MS, 24 * 60 * 60 * 1000)
    }
  }
}
