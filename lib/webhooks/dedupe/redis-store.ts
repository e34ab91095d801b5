import type { ClaimState, WebhookDedupeStore } from '../../../types/dedupe-store'
import { redisCall, type RedisLike } from '../../redis-call'

export type { RedisLike } from '../../redis-call'

export interface RedisDedupeStoreOptions {
  /** Prepended to every key. Default `fastify-pusher:webhook:`. */
  prefix?: string
}

/**
 * Claims every key (KEYS) at once: for each, `SET key running PX lockMs NX GET`, which
 * sets it only when absent and answers what was there; 0 claimed, 1 running, 2 done.
 */
const CLAIM = `local states = {}
for i, key in ipairs(KEYS) do
  local before = redis.call('SET', key, 'running', 'PX', ARGV[1], 'NX', 'GET')
  if not before then states[i] = 0 elseif before == 'done' then states[i] = 2 else states[i] = 1 end
end
return states`
/** Marks every key (KEYS) done: `SET key done PX ttlMs`. */
const DONE = `for _, key in ipairs(KEYS) do redis.call('SET', key, 'done', 'PX', ARGV[1]) end
return #KEYS`
const STATES: readonly ClaimState[] = ['claimed', 'running', 'done']

/**
 * A dedupe store in Redis (7 or later), shared by every app instance that uses the
 * same Redis: one key per unit, `{prefix}{delivery}:{unit}`. A claim is, for each unit,
 * `SET key running NX PX lockMs GET` (it sets the key only when absent, and answers
 * what was there), a done mark `SET key done PX ttlMs`; the commands of one call run
 * in one Lua script (`EVAL`, sent through a pipeline: one round trip and one command
 * to encode, whatever the number of events; atomic for the whole call).
 */
export function redisDedupeStore (redis: RedisLike, { prefix = 'fastify-pusher:webhook:' }: RedisDedupeStoreOptions = {}): WebhookDedupeStore {
  const run = async (command: Array<string | number>): Promise<unknown> => await redisCall(redis, command)
  const keys = (delivery: string, units: string[]): string[] => units.map((unit) => `${prefix}${delivery}:${unit}`)
  return {
    claim: async (delivery, units, lockMs) => {
      if (units.length === 0) return []
      const states = await run(['eval', CLAIM, units.length, ...keys(delivery, units), lockMs]) as number[]
      return states.map((state) => STATES[state])
    },
    done: async (delivery, units, ttlMs) => {
      if (units.length === 0) return
      await run(['eval', DONE, units.length, ...keys(delivery, units), ttlMs])
    },
    release: async (delivery, units) => {
      if (units.length === 0) return
      await run(['del', ...keys(delivery, units)])
    }
  }
}
