import type { ClaimState, WebhookDedupeStore } from './store'

/** The part of an `ioredis` client the store uses (any client with these calls will do). */
export interface RedisLike {
  set: (key: string, value: string, ...args: Array<string | number>) => Promise<string | null>
  del: (...keys: string[]) => Promise<number>
}

export interface RedisDedupeStoreOptions {
  /** Prepended to every key. Default `fastify-pusher:webhook:`. */
  prefix?: string
}

/**
 * A dedupe store in Redis (7 or later), shared by every app instance that uses the
 * same Redis: a claim is one atomic `SET key running NX PX lockMs GET` (it sets the
 * key only when absent, and answers what was there), a done mark `SET key done PX ttlMs`.
 * The commands of one call are sent together (ioredis pipelines what is sent in one tick).
 */
export function redisDedupeStore (redis: RedisLike, { prefix = 'fastify-pusher:webhook:' }: RedisDedupeStoreOptions = {}): WebhookDedupeStore {
  return {
    claim: async (keys, lockMs) => await Promise.all(keys.map(async (key): Promise<ClaimState> => {
      const before = await redis.set(prefix + key, 'running', 'PX', lockMs, 'NX', 'GET')
      return before === null ? 'claimed' : before === 'done' ? 'done' : 'running'
    })),
    done: async (keys, ttlMs) => {
      await Promise.all(keys.map(async (key) => await redis.set(prefix + key, 'done', 'PX', ttlMs)))
    },
    release: async (keys) => {
      if (keys.length > 0) await redis.del(...keys.map((key) => prefix + key))
    }
  }
}
