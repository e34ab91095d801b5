import type { FastifyPusherOptions } from '../../types/index'
import { InvalidOptionError } from '../errors'
import { isObject } from './is-object'

/** The `queue` option, checked: durable sending on BullMQ (lib/queue/). */
export interface QueueOptions {
  /** The app's ioredis client: duplicated where BullMQ needs its own connection, never closed. */
  connection: RedisClient
  name: string
  worker: boolean
  concurrency: number
  maxAgeMs: number
  backoff: { minMs: number, maxMs: number }
  limiter?: { max: number, duration: number }
  keep: { completedMs: number, failedMs: number }
}

/** What the plugin needs of an ioredis client. */
export interface RedisClient {
  duplicate: (options?: object) => RedisClient
  disconnect: (reconnect?: boolean) => void
  connect: () => Promise<void>
  on: (event: 'error', listener: (error: Error) => void) => unknown
  /** ioredis's connection status (`ready`, `reconnecting`, `end`, ...). */
  status?: string
}

export const DEFAULT_QUEUE_NAME = 'fastify-pusher'
export const DEFAULT_QUEUE_CONCURRENCY = 16
export const DEFAULT_MAX_AGE_MS = 24 * 3600_000
export const DEFAULT_BACKOFF = { minMs: 1000, maxMs: 60_000 }
export const DEFAULT_KEEP = { completedMs: 3600_000, failedMs: 7 * 24 * 3600_000 }

function wholeNumber (name: string, value: unknown, defaultValue: number, min = 1): number {
  if (value === undefined) return defaultValue
  if (!Number.isSafeInteger(value) || (value as number) < min) throw new InvalidOptionError(`queue.${name}`, `must be a whole number of at least ${min}, got a ${typeof value}`)
  return value as number
}

function objectOf (name: string, value: unknown): Record<string, unknown> {
  if (!isObject(value)) throw new InvalidOptionError(`queue.${name}`, `must be an object, got a ${value === null ? 'null' : typeof value}`)
  return value
}

/** `queue`, each field checked; undefined when the option is not set. */
export function resolveQueueOptions (options: FastifyPusherOptions): QueueOptions | undefined {
  if (options.queue === undefined) return undefined
  const queue = objectOf('', options.queue)
  const connection = queue.connection as RedisClient | undefined
  if (!isObject(connection) || typeof connection.duplicate !== 'function') {
    throw new InvalidOptionError('queue.connection', 'must be an ioredis client (new Redis(...))')
  }
  if (queue.name !== undefined && (typeof queue.name !== 'string' || !/^[\w.-]{1,100}$/.test(queue.name))) {
    throw new InvalidOptionError('queue.name', 'must be 1 to 100 of A-Z a-z 0-9 _ . -')
  }
  if (queue.worker !== undefined && typeof queue.worker !== 'boolean') throw new InvalidOptionError('queue.worker', `must be true or false, got a ${typeof queue.worker}`)
  const backoff = queue.backoff === undefined ? {} : objectOf('backoff', queue.backoff)
  const keep = queue.keep === undefined ? {} : objectOf('keep', queue.keep)
  const resolved: QueueOptions = {
    connection,
    // A named app's queue is its own: `fastify-pusher-{name}` unless it names one.
    name: (queue.name as string | undefined) ?? (typeof options.name === 'string' ? `${DEFAULT_QUEUE_NAME}-${options.name}` : DEFAULT_QUEUE_NAME),
    worker: (queue.worker as boolean | undefined) ?? true,
    concurrency: wholeNumber('concurrency', queue.concurrency, DEFAULT_QUEUE_CONCURRENCY),
    maxAgeMs: wholeNumber('maxAgeMs', queue.maxAgeMs, DEFAULT_MAX_AGE_MS),
    backoff: { minMs: wholeNumber('backoff.minMs', backoff.minMs, DEFAULT_BACKOFF.minMs), maxMs: wholeNumber('backoff.maxMs', backoff.maxMs, DEFAULT_BACKOFF.maxMs) },
    keep: { completedMs: wholeNumber('keep.completedMs', keep.completedMs, DEFAULT_KEEP.completedMs), failedMs: wholeNumber('keep.failedMs', keep.failedMs, DEFAULT_KEEP.failedMs) }
  }
  if (resolved.backoff.maxMs < resolved.backoff.minMs) throw new InvalidOptionError('queue.backoff', 'maxMs must be at least minMs')
  if (queue.limiter !== undefined) {
    const limiter = objectOf('limiter', queue.limiter)
    if (limiter.max === undefined || limiter.duration === undefined) throw new InvalidOptionError('queue.limiter', 'needs max and duration (ms)')
    resolved.limiter = { max: wholeNumber('limiter.max', limiter.max, 0), duration: wholeNumber('limiter.duration', limiter.duration, 0) }
  }
  return resolved
}
