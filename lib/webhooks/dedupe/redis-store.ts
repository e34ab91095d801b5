import type { ClaimState, WebhookDedupeStore } from './store'

/** The part of an `ioredis` client the store uses (any client with this call will do). */
export interface RedisLike {
  pipeline (commands: Array<Array<string | number>>): { exec: () => Promise<Array<[Error | null, unknown]> | null> }
}

export interface RedisDedupeStoreOptions {
  /** Prepended to every key. Default `fastify-pusher:webhook:`. */
  prefix?: string
}

/**
 * A dedupe store in Redis (7 or later), shared by every app instance that uses the
 * same Redis: one key per unit, `{prefix}{delivery}:{unit}`. A claim is one atomic
 * `SET key running NX PX lockMs GET` (it sets the key only when absent, and answers
 * what was there), a done mark `SET key done PX ttlMs`. The commands of one call go
 * as one pipeline: one round trip, whatever the number of events.
 */
export function redisDedupeStore (redis: RedisLike, { prefix = 'fastify-pusher:webhook:' }: RedisDedupeStoreOptions = {}): WebhookDedupeStore {
  const run = async (commands: Array<Array<string | number>>): Promise<unknown[]> => {
    const replies = await redis.pipeline(commands).exec() ?? []
    return replies.map(([error, reply]) => {
      if (error !== null) throw error
      return reply
    })
  }
  return {
    claim: async (delivery, units, lockMs) => {
      const replies = await run(units.map((unit) => ['set', `${prefix}${delivery}:${unit}`, 'running', 'PX', lockMs, 'NX', 'GET']))
      return replies.map((before): ClaimState => before === null ? 'claimed' : before === 'done' ? 'done' : 'running')
    },
    done: async (delivery, units, ttlMs) => {
      await run(units.map((unit) => ['set', `${prefix}${delivery}:${unit}`, 'done', 'PX', ttlMs]))
    },
    release: async (delivery, units) => {
      await run([['del', ...units.map((unit) => `${prefix}${delivery}:${unit}`)]])
    }
  }
}
