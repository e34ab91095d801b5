import type { Queue } from 'bullmq'
import type { QueueFailedEvent, QueueCounts, Serialize } from '../../types/index'
import { InvalidEventError } from '../errors'
import { checkEvent } from '../send/checks'
import { serializeData } from '../send/event-data'
import { checkUserId } from '../send/users-and-channels'
import { createEnqueuer, type EnqueueOptions } from './enqueue'
import type { JobData, QueuedEvent } from './job'
import { eventId } from './job'

interface TriggerParams { socket_id?: string, idempotencyKey?: string }
interface BatchInput { channel: string, name: string, data: unknown, socket_id?: string }

export interface DurableQueueOptions extends EnqueueOptions {
  serialize: Serialize
  maxEventBytes: number
  /** Called by resume(): the worker logs the next 401/403 again. */
  onResume: () => void
}

/** The longest list `failed()` returns. */
export const MAX_FAILED_LIST = 1000

/**
 * `app.pusher.queue`: the same checks and serialization as `trigger` (typed errors before anything
 * is stored), then the events are stored in Redis; and what there is to see of the queue (no event
 * data, no secret).
 */
export function createDurableQueue (queue: Queue, options: DurableQueueOptions) {
  const enqueuer = createEnqueuer(queue, options)
  const prepare = (channel: string, name: string, data: unknown, socketId: string | undefined): QueuedEvent => {
    const text = serializeData(options.serialize, data)
    checkEvent({ channels: [channel], event: name, text, socketId }, options.maxEventBytes)
    return socketId === undefined ? { channel, name, data: text } : { channel, name, data: text, socket_id: socketId }
  }

  async function trigger (to: string | string[], name: string, data: unknown, params: TriggerParams = {}): Promise<{ id: string } | { ids: string[] }> {
    const channels = Array.isArray(to) ? to : [to]
    const text = serializeData(options.serialize, data)
    checkEvent({ channels, event: name, text, socketId: params.socket_id }, options.maxEventBytes)
    const events = channels.map((channel) => params.socket_id === undefined ? { channel, name, data: text } : { channel, name, data: text, socket_id: params.socket_id })
    const what = `event "${name}"`
    let ids: string[]
    if (params.idempotencyKey !== undefined) {
      if (typeof params.idempotencyKey !== 'string' || params.idempotencyKey === '' || params.idempotencyKey.length > 200) {
        throw new InvalidEventError(String(name).slice(0, 64), channels.length === 1 ? channels[0] : `${channels.length} channels`, 'idempotencyKey must be a string of 1 to 200 characters')
      }
      // A job of its own, named by the key: while BullMQ keeps it, the same key stores nothing and gets its ids.
      ids = await enqueuer.add({ job: { kind: 'batch', events, enqueuedAt: 0 }, jobId: enqueuer.keyedJobId(params.idempotencyKey), what })
    } else {
      ids = await enqueuer.add({ events, what })
    }
    return Array.isArray(to) ? { ids } : { id: ids[0] }
  }

  async function triggerBatch (batch: BatchInput[]): Promise<{ ids: string[] }> {
    const events = batch.map((event) => prepare(event.channel, event.name, event.data, event.socket_id))
    return { ids: await enqueuer.add({ events, what: `${events.length} events` }) }
  }

  async function sendToUser (userId: string | number, name: string, data: unknown): Promise<{ id: string }> {
    const id = checkUserId(userId, String(name).slice(0, 64))
    const text = serializeData(options.serialize, data)
    checkEvent({ channels: ['user'], event: name, text }, options.maxEventBytes)
    const job: JobData = { kind: 'user', userId: id, name, data: text, enqueuedAt: 0 }
    const [eventIdOf] = await enqueuer.add({ job, what: `event "${name}" to a user` })
    return { id: eventIdOf }
  }

  /** BullMQ keeps the jobs of a paused queue waiting: they count as `paused` then. */
  async function counts (): Promise<QueueCounts> {
    const [answer, isPaused] = await Promise.all([queue.getJobCounts('waiting', 'prioritized', 'active', 'delayed', 'failed'), queue.isPaused()])
    const ready = answer.waiting + answer.prioritized
    return { waiting: isPaused ? 0 : ready, active: answer.active, delayed: answer.delayed, failed: answer.failed, paused: isPaused ? ready : 0 }
  }

  async function failed ({ limit = 100 }: { limit?: number } = {}): Promise<QueueFailedEvent[]> {
    const jobs = await queue.getFailed(0, Math.min(Math.max(1, limit), MAX_FAILED_LIST) - 1)
    return jobs.flatMap((job): QueueFailedEvent[] => {
      const data = job.data as JobData
      const common = { ...parseReason(job.failedReason), attempts: (data.tries ?? 0) + 1, enqueuedAt: data.enqueuedAt }
      return data.kind === 'user'
        ? [{ id: eventId(String(job.id), 0), user: data.userId, event: data.name, ...common }]
        : data.events.map((event, i) => ({ id: event.id ?? eventId(String(job.id), i), channel: event.channel, event: event.name, ...common }))
    }).slice(0, limit)
  }

  /** Every failed job back to waiting, its age and tries counted again from now. Bounded: the failed jobs there are now. */
  async function retryFailed (): Promise<{ retried: number }> {
    const jobs = await queue.getFailed(0, -1)
    for (const job of jobs) {
      await job.updateData({ ...(job.data as JobData), enqueuedAt: Date.now(), tries: 0 })
      await job.retry('failed')
    }
    return { retried: jobs.length }
  }

  return {
    trigger,
    triggerBatch,
    sendToUser,
    counts,
    failed,
    retryFailed,
    pause: async (): Promise<void> => { await queue.pause() },
    resume: async (): Promise<void> => { options.onResume(); await queue.resume() }
  }
}

/** What the worker wrote as a failed job's reason: `{ code, statusCode }`, never a message from the server. */
function parseReason (failedReason: string): { code: string, statusCode?: number } {
  try {
    const parsed = JSON.parse(failedReason) as { code?: unknown, statusCode?: unknown }
    if (typeof parsed.code === 'string') return typeof parsed.statusCode === 'number' ? { code: parsed.code, statusCode: parsed.statusCode } : { code: parsed.code }
  } catch {}
  return { code: 'FST_PUSHER_QUEUE_FAILED' }
}
