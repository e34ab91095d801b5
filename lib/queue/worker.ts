import type { Job, Queue, Worker } from 'bullmq'
import type { FastifyBaseLogger } from 'fastify'
import type Pusher = require('pusher')
import type { QueueOptions, RedisClient } from '../config/queue-options'
import { clientData, isEncryptedChannel } from '../send/event-data'
import type { BullMQ } from './bullmq'
import { UnknownAppError } from '../errors'
import { eventId, type JobData } from './job'
import { failureReason, outcomeOf, retryDelay } from './outcome'
import { isTraced, queueChannel } from '../telemetry/channels'
import { queueMessage } from '../telemetry/messages'
import { settleJob, type JobNote } from '../telemetry/queue-outcome'
import { traced } from '../telemetry/trace'

/**
 * BullMQ's lock on an active job (renewed every half of it while its worker lives), and how often the
 * workers look for jobs whose worker died (one check per interval across all of them). A check takes up
 * a job that was active at the previous check and has no lock: at most lock + interval (45 s) after the
 * worker died, as long as another worker runs. At 30 s, BullMQ's default, that was up to 90 s.
 */
export const LOCK_DURATION_MS = 30_000
export const STALLED_INTERVAL_MS = 15_000
/** A job may stall this often (its worker killed each time) before BullMQ fails it: events must survive crashes. */
export const MAX_STALLED_COUNT = 100

async function send (client: Pusher, data: JobData): Promise<void> {
  if (data.kind === 'user') {
    await client.sendToUser(data.userId, data.name, data.data)
    return
  }
  await client.triggerBatch(data.events.map(({ channel, name, data: text, socket_id: socketId }) =>
    socketId === undefined ? { channel, name, data: clientData(text, isEncryptedChannel(channel)) } : { channel, name, data: clientData(text, isEncryptedChannel(channel)), socket_id: socketId }))
}

export interface WorkerContext {
  bullmq: BullMQ
  /** The official client, sending through the plugin's sender (typed errors, timeout, retries). */
  client?: Pusher
  /** Tenants: the client of a job's app id. */
  clientFor?: (appId: string) => Promise<Pusher>
  /** Tenants: the API refused an app's credentials. */
  refused?: (appId: string) => void
  queue: Queue
  options: QueueOptions
  log: FastifyBaseLogger
  /** A connection of the plugin's own, from the app's. */
  duplicate: (connection: RedisClient, options: object) => RedisClient
}

/**
 * The worker's processor: one job, one API call. A refused job of several events is split into a
 * job per event, so only the bad one fails; 401/403 pause the queue (logged once until resume());
 * everything else waits and is tried again, with no attempt used up, until maxAgeMs.
 */
export function createProcessor ({ bullmq, client, clientFor, refused, queue, options, log }: WorkerContext) {
  let pausedLogged = false
  /** Tenants whose credentials the API refused, logged once until one of their jobs is sent. */
  const refusedApps = new Set<string>()
  /** The client that sends a job: one app's, or (a job with an app id) its tenant's; a job of the other kind is refused for good. */
  const clientOf = async (data: JobData): Promise<Pusher> => {
    if (data.appId === undefined) {
      if (client !== undefined) return client
      throw new UnknownAppError('a job without an app id reached the worker of tenants: the queue is shared with a single app\'s')
    }
    if (clientFor !== undefined) return await clientFor(data.appId)
    throw new UnknownAppError(`a tenant's job (app id ${JSON.stringify(data.appId)}) reached the worker of one app: the queue is shared with a tenants registration`)
  }
  const expired = (data: JobData): boolean => Date.now() - data.enqueuedAt >= options.maxAgeMs
  const fail = (error: unknown): never => { throw new bullmq.UnrecoverableError(failureReason(error)) }

  async function processor (job: Job<JobData>, token?: string): Promise<unknown> {
    if (!isTraced(queueChannel)) return await process(job, token)
    const data = job.data
    const note: JobNote = {}
    const message = queueMessage('job', data.kind === 'user' ? 1 : data.events.length, { attempt: (data.tries ?? 0) + 1, enqueuedAt: data.enqueuedAt })
    return await traced(queueChannel, message, async () => await process(job, token, note), (message, failure) => { settleJob(message, failure, note) })
  }

  /** One attempt of a job; `note` says what became of it (read when traced). */
  async function process (job: Job<JobData>, token?: string, note: JobNote = {}): Promise<unknown> {
    const data = job.data
    if (expired(data)) {
      note.outcome = 'expired'
      fail({ code: 'FST_PUSHER_QUEUE_EXPIRED' })
    }
    try {
      await send(await clientOf(data), data)
      if (data.appId !== undefined) refusedApps.delete(data.appId)
      return { sent: data.kind === 'user' ? 1 : data.events.length }
    } catch (error) {
      let outcome = outcomeOf(error)
      if (outcome === 'pause' && data.appId !== undefined && refused !== undefined) {
        // One tenant's credentials refused: its jobs wait and try again (looked up anew), the others go on.
        // Logged once per tenant until one of its jobs is sent.
        refused(data.appId)
        if (!refusedApps.has(data.appId)) {
          refusedApps.add(data.appId)
          log.error({ appId: data.appId, code: (error as { code?: string }).code, statusCode: (error as { statusCode?: number }).statusCode, queue: options.name },
            'fastify-pusher: the Pusher API refused a tenant\'s credentials (401/403): its jobs wait and are tried again with them looked up anew')
        }
        outcome = 'retry'
      }
      note.outcome = outcome === 'reject' ? 'failed' : outcome === 'pause' ? 'paused' : 'retry'
      note.cause = error
      if (outcome === 'reject') {
        // A job no app is known for fails whole: split, each of its events would fail the same way.
        if (data.kind === 'batch' && data.events.length > 1 && (error as { code?: string }).code !== 'FST_PUSHER_UNKNOWN_APP') {
          await queue.addBulk(data.events.map((event, i) => ({
            name: 'batch',
            data: { kind: 'batch' as const, events: [{ ...event, id: event.id ?? eventId(String(job.id), i) }], enqueuedAt: data.enqueuedAt, ...(data.appId === undefined ? {} : { appId: data.appId }) },
            // Not the job's own id (an idempotency key's): BullMQ would take each part for the job itself, and store nothing.
            opts: { ...job.opts, jobId: undefined }
          })))
          note.outcome = 'split'
          return { split: data.events.length }
        }
        fail(error)
      }
      if (outcome === 'pause') {
        await queue.pause()
        if (!pausedLogged) {
          pausedLogged = true
          const { code, statusCode } = error as { code?: string, statusCode?: number }
          log.error({ code, statusCode, queue: options.name }, 'fastify-pusher: the Pusher API refused the credentials (401/403): the queue is paused until app.pusher.queue.resume()')
        }
      }
      const tries = data.tries ?? 0
      const wait = outcome === 'pause' ? options.backoff.minMs : retryDelay(error, tries, options.backoff)
      // Never past maxAgeMs: a job that comes up expired fails as FST_PUSHER_QUEUE_EXPIRED (above).
      const delay = Math.min(wait, Math.max(0, data.enqueuedAt + options.maxAgeMs - Date.now()))
      await job.updateData({ ...data, tries: tries + 1 })
      await job.moveToDelayed(Date.now() + delay, token)
      throw new bullmq.DelayedError()
    }
  }
  return { processor, resumed: () => { pausedLogged = false } }
}

/** A BullMQ worker on a connection of its own (BullMQ's blocking reads need maxRetriesPerRequest: null). */
export function createWorker (context: WorkerContext, processor: (job: Job<JobData>, token?: string) => Promise<unknown>): { worker: Worker, connection: RedisClient } {
  const { bullmq, options, log } = context
  const connection = context.duplicate(options.connection, { maxRetriesPerRequest: null })
  const worker = new bullmq.Worker<JobData>(options.name, processor, {
    connection: connection as never,
    concurrency: options.concurrency,
    limiter: options.limiter,
    lockDuration: LOCK_DURATION_MS,
    stalledInterval: STALLED_INTERVAL_MS,
    maxStalledCount: MAX_STALLED_COUNT
  })
  // Errors of the worker itself (Redis gone, ...): logged without their messages' data, never thrown.
  worker.on('error', (error: Error & { code?: string }) => { log.warn({ code: error.code, name: error.name }, 'fastify-pusher: the queue worker met an error; it keeps trying') })
  return { worker, connection }
}
