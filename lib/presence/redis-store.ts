import type { PresenceOutcome, PresenceStore } from '../../types/presence-store'
import { redisCall, type RedisLike } from '../redis-call'

export interface RedisPresenceStoreOptions {
  /**
   * Prepended to every key. Default `{fastify-pusher:presence}:`. On a Redis Cluster it must hold a hash
   * tag (`{...}`), so that every key is in one slot: the script reaches keys it builds itself.
   */
  prefix?: string
}

/**
 * Applies the changes (ARGV from 5: channel, user, 1 or 0, time_ms, per change) in order, and answers
 * each one's outcome. Keys: `members:{channel}` (hash: user -> time of the join), `left:{channel}`
 * (sorted set: user by time of the departure, the last historyMs only, and at most maxMembers of
 * them), `channels-of:{user}` (set),
 * `occupied` (KEYS[1]: the channels with members; it routes the script to the slot of the prefix's
 * hash tag on a Redis Cluster). Times stay the strings they came as (Lua prints
 * large numbers in exponent form).
 */
const APPLY = `local prefix, maxChannels, maxMembers, historyMs = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
local occupied = KEYS[1]
local outcomes = {}
for i = 5, #ARGV, 4 do
  local channel, user, present, time = ARGV[i], ARGV[i + 1], ARGV[i + 2] == '1', ARGV[i + 3]
  local members, left, of = prefix .. 'members:' .. channel, prefix .. 'left:' .. channel, prefix .. 'channels-of:' .. user
  redis.call('ZREMRANGEBYSCORE', left, '-inf', '(' .. string.format('%.0f', tonumber(time) - historyMs))
  local joined = redis.call('HGET', members, user)
  local held = joined or redis.call('ZSCORE', left, user)
  local outcome
  if held and tonumber(held) > tonumber(time) then
    outcome = 'stale'
  elseif present then
    if joined then
      redis.call('HSET', members, user, time)
      outcome = 'same'
    elseif redis.call('HLEN', members) >= maxMembers or (redis.call('SISMEMBER', occupied, channel) == 0 and redis.call('SCARD', occupied) >= maxChannels) then
      outcome = 'full'
    else
      redis.call('HSET', members, user, time)
      redis.call('ZREM', left, user)
      redis.call('SADD', occupied, channel)
      redis.call('SADD', of, channel)
      if redis.call('SCARD', of) == 1 then outcome = 'online' else outcome = 'changed' end
    end
  else
    redis.call('ZADD', left, time, user)
    redis.call('ZREMRANGEBYRANK', left, 0, -maxMembers - 1)
    redis.call('PEXPIRE', left, historyMs)
    if joined then
      redis.call('HDEL', members, user)
      redis.call('SREM', of, channel)
      if redis.call('HLEN', members) == 0 then redis.call('SREM', occupied, channel) end
      if redis.call('SCARD', of) == 0 then outcome = 'offline' else outcome = 'changed' end
    else
      outcome = 'same'
    end
  end
  outcomes[#outcomes + 1] = outcome
end
return outcomes`

/**
 * A presence store in Redis, shared by every app instance that uses the same Redis: a list of
 * changes is applied by one Lua script (`EVAL`), atomically, so the instance that applies a change is
 * the only one that sees its `online` or `offline` outcome. Departures are kept `historyMs` (a sorted
 * set per channel, pruned on every write, expiring with it, and capped at maxMembersPerChannel).
 */
export function redisPresenceStore (redis: RedisLike, { prefix = '{fastify-pusher:presence}:' }: RedisPresenceStoreOptions = {}): PresenceStore {
  const run = async (command: Array<string | number>): Promise<unknown> => await redisCall(redis, command)
  return {
    apply: async (changes, { maxChannels, maxMembersPerChannel, historyMs }) => {
      if (changes.length === 0) return []
      const args = changes.flatMap((change) => [change.channel, change.userId, change.present ? 1 : 0, String(change.timeMs)])
      return await run(['eval', APPLY, 1, `${prefix}occupied`, prefix, maxChannels, maxMembersPerChannel, historyMs, ...args]) as PresenceOutcome[]
    },
    members: async (channel) => await run(['hkeys', `${prefix}members:${channel}`]) as string[],
    channelsOf: async (userId) => await run(['smembers', `${prefix}channels-of:${userId}`]) as string[],
    channels: async () => await run(['smembers', `${prefix}occupied`]) as string[]
  }
}
