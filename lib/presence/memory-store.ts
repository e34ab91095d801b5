import type { PresenceChange, PresenceLimits, PresenceOutcome, PresenceStore } from '../../types/presence-store'

/**
 * The presence state in this process's memory (`presence: true`): each channel's members with the
 * time of their join, each user's channels, and the departures of the last `historyMs` (so that a
 * late retry of an older join cannot bring a member back). Bounded by the limits: at most
 * `maxChannels` channels of at most `maxMembersPerChannel` members, and as many departures.
 */
export function memoryPresenceStore (): PresenceStore {
  /** channel -> user id -> time of the join */
  const members = new Map<string, Map<string, number>>()
  /** user id -> the channels they are in */
  const channelsOfUser = new Map<string, Set<string>>()
  /** `${channel}\n${user}` -> time of the departure, oldest first (channel names hold no newline) */
  const departures = new Map<string, number>()

  const forget = (newest: number, limits: PresenceLimits): void => {
    const bound = limits.maxChannels * limits.maxMembersPerChannel
    for (const [key, time] of departures) {
      if (time >= newest - limits.historyMs && departures.size <= bound) break
      departures.delete(key)
    }
  }

  const join = (change: PresenceChange, limits: PresenceLimits, key: string): PresenceOutcome => {
    let channel = members.get(change.channel)
    if (channel?.has(change.userId) === true) {
      channel.set(change.userId, change.timeMs)
      return 'same'
    }
    if (channel === undefined ? members.size >= limits.maxChannels : channel.size >= limits.maxMembersPerChannel) return 'full'
    if (channel === undefined) members.set(change.channel, channel = new Map())
    channel.set(change.userId, change.timeMs)
    departures.delete(key)
    let channels = channelsOfUser.get(change.userId)
    if (channels === undefined) channelsOfUser.set(change.userId, channels = new Set())
    channels.add(change.channel)
    return channels.size === 1 ? 'online' : 'changed'
  }

  const leave = (change: PresenceChange, limits: PresenceLimits, key: string): PresenceOutcome => {
    departures.delete(key)
    departures.set(key, change.timeMs)
    forget(change.timeMs, limits)
    const channel = members.get(change.channel)
    if (channel?.delete(change.userId) !== true) return 'same'
    if (channel.size === 0) members.delete(change.channel)
    const channels = channelsOfUser.get(change.userId) as Set<string>
    channels.delete(change.channel)
    if (channels.size > 0) return 'changed'
    channelsOfUser.delete(change.userId)
    return 'offline'
  }

  return {
    apply: (changes, limits) => changes.map((change) => {
      const key = `${change.channel}\n${change.userId}`
      const held = members.get(change.channel)?.get(change.userId) ?? departures.get(key)
      if (held !== undefined && held > change.timeMs) return 'stale'
      return change.present ? join(change, limits, key) : leave(change, limits, key)
    }),
    members: (channel) => [...members.get(channel)?.keys() ?? []],
    channelsOf: (userId) => [...channelsOfUser.get(userId) ?? []],
    channels: () => [...members.keys()]
  }
}
