import type { ClaimState, WebhookDedupeStore } from './store'

/** The part of an `ioredis` client the store uses (any client with these calls will do). */
export interface RedisLike {
  set (key: string, value: string, px: 'PX', milliseconds: number, nx: 'NX', get: 'GET'): Promise<string | null>
  set (key: string, value: string, px: 'PX', milliseconds: number): Promise<unknown>
  del (...keys: string[]): Promise<number>
}

export interface RedisDedupeStoreOptions {
  /** Prepended to every key. Default `fastify-pusher:webhook:`. */
  prefix?: string
}

/**
 * A dedupe store in Redis (7 or later), shared by every app instance that uses the
 * same Redis: one key per unit, `{prefix}{delivery}:{unit}`. A claim is one atomic
 * `SET key running NX PX lockMs GET` (it sets the key only when absent, and answers
 * what was there), a done mark `SET key done PX ttlMs`. The commands of one call are
 * sent together (ioredis writes what is sent in one tick as one pipeline).
 */
export function redisDedupeStore (redis: RedisLike, { prefix = 'fastify-pusher:webhook:' }: RedisDedupeStoreOptions = {}): WebhookDedupeStore {
  const keyOf = (delivery: string) => (unit: string): string => `${prefix}${delivery}:${unit}`
  return {
    claim: async (delivery, units, lockMs) => await Promise.all(units.map(keyOf(delivery)).map(async (key): Promise<ClaimState> => {
      const before = await redis.set(key, 'running', 'PX', lockMs, 'NX', 'GET')
      return before === null ? 'claimed' : before === 'done' ? 'done' : 'running'
    })),
    done: async (delivery, units, ttlMs) => {
      await Promise.all(units.map(keyOf(delivery)).map(async (key) => await redis.set(key, 'done', 'PX', ttlMs)))
    },
    release: async (delivery, units) => {
      await redis.del(...units.map(keyOf(delivery)))
    }
  }
}
