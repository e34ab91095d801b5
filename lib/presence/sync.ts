import type { FastifyBaseLogger } from 'fastify'
import type { PresenceSyncResult } from '../../types/index'
import type { PresenceChange, PresenceStore } from '../../types/presence-store'
import { presenceChannel, storeCall, type Presence } from './presence'

/** The API calls presence needs (the plugin's senders). */
export interface PresenceApi {
  presenceUsers: (name: string) => Promise<Array<{ id: string | number }>>
  channelsInfo: (options: { prefix: string }) => Promise<Record<string, unknown>>
}

/**
 * `presence.sync(channel?)`: the store made to match the API, for after an outage longer than
 * Pusher's retries. One channel: its members as `presenceUsers` answers. None: every occupied presence
 * channel (`channelsInfo`), and every channel the store holds that is no longer occupied (emptied), one
 * channel at a time. Only the differences are applied: they carry this server's clock (`Date.now()`)
 * and go through the store like the webhooks' (so `online` and `offline` are told, and a change the
 * store holds a newer time for is stale); a webhook sent before the sync is then older.
 */
export function createSync (store: PresenceStore, apply: Presence['apply'], api: PresenceApi, log: FastifyBaseLogger) {
  const syncChannel = async (channel: string, occupied: boolean, timeMs: number, result: PresenceSyncResult): Promise<void> => {
    const truth = occupied ? new Set((await api.presenceUsers(channel)).map((user) => String(user.id))) : new Set<string>()
    const held = await storeCall(() => store.members(channel))
    const holds = new Set(held)
    // Only what differs: a member both know keeps the time of their join.
    const changes: PresenceChange[] = [
      ...[...truth].filter((userId) => !holds.has(userId)).map((userId) => ({ channel, userId, present: true, timeMs })),
      ...held.filter((userId) => !truth.has(userId)).map((userId) => ({ channel, userId, present: false, timeMs }))
    ]
    const outcomes = await apply(changes, log)
    outcomes.forEach((outcome, i) => {
      if (outcome === 'online' || outcome === 'offline' || outcome === 'changed') {
        if (changes[i].present) result.added++
        else result.removed++
      }
    })
    result.channels++
  }

  return async (channel?: string): Promise<PresenceSyncResult> => {
    const result: PresenceSyncResult = { channels: 0, added: 0, removed: 0 }
    const timeMs = Date.now()
    if (channel !== undefined) {
      await syncChannel(presenceChannel('sync', channel), true, timeMs, result)
      return result
    }
    const occupied = new Set(Object.keys(await api.channelsInfo({ prefix: 'presence-' })))
    const held = await storeCall(() => store.channels())
    for (const name of new Set([...occupied, ...held])) {
      await syncChannel(name, occupied.has(name), timeMs, result)
    }
    return result
  }
}
