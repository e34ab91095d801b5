import type { FastifyBaseLogger } from 'fastify'
import type Pusher = require('pusher')
import type { FastifyPusherQueue, Serialize } from '../../types/index'
import type { QueueOptions } from '../config/queue-options'
import { loadBullMQ } from './bullmq'
import { createDurableQueue } from './durable-queue'
import type { JobData } from './job'
import { ownConnections } from './own-connections'
import { createProcessor, createWorker } from './worker'

export interface QueueingOptions {
  queue: QueueOptions
  /** The official client, sending through the plugin's sender (one app). */
  client?: Pusher
  /** Tenants: the client of a job's app id (its credentials looked up when not held). */
  clientFor?: (appId: string) => Promise<Pusher>
  /** Tenants: the API refused an app's credentials (401/403): its job waits and tries again, the queue is not paused. */
  refused?: (appId: string) => void
  serialize: Serialize
  maxEventBytes: number
  batchSize: number
  /** ms Redis has to store a turn's events (the API `timeout`); 0 for no bound. */
  timeout: number
  log: FastifyBaseLogger
}

export interface Queueing {
  /** `app.pusher.queue`: one app's (no app id), or a tenant's (its jobs carry its app id, never a secret); closed when its sender is. */
  apiFor: (appId: string | undefined, isClosing: () => boolean) => FastifyPusherQueue
  /** Starts this instance's worker, unless `worker: false`. */
  start: () => void
  /** Closes the worker (waiting for its jobs in flight), the queue and the plugin's own connections. */
  close: () => Promise<void>
  /** Past closeTimeout: drops the plugin's own Redis connections, so that what waits on them ends. */
  forceClose: () => void
}

/**
 * The durable queue: enqueueing on a connection of its own with no offline queue (Redis down is a
 * rejection at once, never events held in memory), and the worker. The app's connection is only
 * duplicated, never closed.
 */
export function createQueueing (options: QueueingOptions): Queueing {
  const bullmq = loadBullMQ()
  const { duplicate, drop } = ownConnections()
  const connection = duplicate(options.queue.connection, { enableOfflineQueue: false })
  const queue = new bullmq.Queue<JobData>(options.queue.name, { connection: connection as never })
  queue.on('error', (error: Error & { code?: string }) => { options.log.warn({ code: error.code, name: error.name }, 'fastify-pusher: the queue met a Redis error') })
  const context = { bullmq, client: options.client, clientFor: options.clientFor, refused: options.refused, queue, options: options.queue, log: options.log, duplicate }
  const { processor, resumed } = createProcessor(context)
  const apiFor = (appId: string | undefined, isClosing: () => boolean): FastifyPusherQueue => createDurableQueue(queue, {
    batchSize: options.batchSize,
    timeout: options.timeout,
    keep: options.queue.keep,
    isClosing,
    serialize: options.serialize,
    maxEventBytes: options.maxEventBytes,
    onResume: resumed,
    appId
  }) as FastifyPusherQueue
  let started: ReturnType<typeof createWorker> | undefined
  return {
    apiFor,
    start: () => {
      if (options.queue.worker && started === undefined) started = createWorker(context, processor)
    },
    close: async () => {
      if (started !== undefined) {
        await started.worker.close()
        started.connection.disconnect()
      }
      await queue.close()
      connection.disconnect()
    },
    forceClose: () => {
      // Never rejects. A graceful close() under way holds BullMQ's close (force or not) until its main
      // loop ends: dropping the connections (BullMQ's blocking one, a duplicate, included) ends it.
      if (started !== undefined) Promise.allSettled([started.worker.close(true)])
      drop()
    }
  }
}
