import type { MaybePromise } from './maybe-promise'

/** One member joining (`present: true`) or leaving a presence channel, at `timeMs` (the delivery's `time_ms`). */
export interface PresenceChange {
  channel: string
  userId: string
  present: boolean
  timeMs: number
}

/**
 * What a store did with one change:
 * - `stale`: older than what it holds for that channel and user, ignored;
 * - `same`: the member was already there (or already gone);
 * - `changed`: applied; the user is still online (or still offline);
 * - `online`: applied, and it is the user's first channel;
 * - `offline`: applied, and it was the user's last channel;
 * - `full`: a new member, not stored: the channel or the store is at its limit.
 */
export type PresenceOutcome = 'stale' | 'same' | 'changed' | 'online' | 'offline' | 'full'

/** The bounds a store keeps to (the `presence` option's, checked at register time). */
export interface PresenceLimits {
  /** Channels with members, at most. */
  maxChannels: number
  /** Members per channel, at most. */
  maxMembersPerChannel: number
  /** How long a departure is remembered (so that an older join cannot undo it), in ms of `time_ms`. */
  historyMs: number
}

/**
 * Where the presence state is kept (`memoryPresenceStore()`, `redisPresenceStore(redis)`, or yours).
 * `apply` must be atomic for the whole list (one instance applies a change, and only it sees the
 * `online` or `offline` outcome) and apply the changes in order: a change is applied when its `timeMs`
 * is at least the one held for its channel and user.
 */
export interface PresenceStore {
  apply: (changes: readonly PresenceChange[], limits: PresenceLimits) => MaybePromise<PresenceOutcome[]>
  /** The user ids in a channel. */
  members: (channel: string) => MaybePromise<string[]>
  /** The channels a user is in. */
  channelsOf: (userId: string) => MaybePromise<string[]>
  /** The channels that have members. */
  channels: () => MaybePromise<string[]>
}
