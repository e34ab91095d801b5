import { createHash } from 'node:crypto'
import type { Queue } from 'bullmq'
import { ClosedError, QueueUnavailableError } from '../errors'
import { eventId, type JobData, type QueuedEvent } from './job'
import { isTraced, queueChannel } from '../telemetry/channels'
import { queueMessage } from '../telemetry/messages'
import { settleEnqueue } from '../telemetry/queue-outcome'
import { traced } from '../telemetry/trace'

export interface EnqueueOptions {
  batchSize: number
  /** ms Redis has to store a turn's jobs; 0 for no bound. */
  timeout: number
  keep: { completedMs: number, failedMs: number }
  isClosing: () => boolean
  /** Tenants: the app id every job carries. */
  appId?: string
}

/** One caller's events: plain ones are packed into shared jobs; a user event or a keyed one is a job of its own. */
type Item =
  | { events: QueuedEvent[], what: string }
  | { job: JobData, jobId?: string, what: string }

interface Waiting { item: Item, resolve: (ids: string[]) => void, reject: (error: unknown) => void }

/** A job id for an idempotency key (a tenant's own): the same key is the same job while BullMQ keeps it. */
const keyedJobId = (key: string, appId: string | undefined): string =>
  `key-${createHash('sha256').update(appId === undefined ? key : `${appId}\0${key}`).digest('hex').slice(0, 40)}`

/** A job's events in jobs of at most `size` (a job is one API call). */
function parts (job: JobData, size: number): JobData[] {
  if (job.kind !== 'batch' || job.events.length <= size) return [job]
  const jobs: JobData[] = []
  for (let start = 0; start < job.events.length; start += size) jobs.push({ ...job, events: job.events.slice(start, start + size) })
  return jobs
}

const countEvents = (jobs: Array<{ data: JobData }>): number =>
  jobs.reduce((sum, { data }) => sum + (data.kind === 'batch' ? data.events.length : 1), 0)

/**
 * Enqueueing: what the callers of one turn of the event loop add is stored with one `addBulk`,
 * plain events packed in order into jobs of at most `batchSize` (a job is one API call). Each
 * caller's promise resolves, once Redis has stored its events, to their ids in order; or rejects
 * with FST_PUSHER_QUEUE_UNAVAILABLE when Redis cannot take them within `timeout`.
 */
export function createEnqueuer (queue: Queue, options: EnqueueOptions) {
  let waiting: Waiting[] = []
  const jobOptions = {
    removeOnComplete: { age: Math.ceil(options.keep.completedMs / 1000) },
    removeOnFail: { age: Math.ceil(options.keep.failedMs / 1000) }
  }

  async function store (jobs: Array<{ name: string, data: JobData, opts: object }>, what: string): Promise<string[]> {
    let timer: NodeJS.Timeout | undefined
    const added = queue.addBulk(jobs)
    const limit = options.timeout > 0
      ? new Promise<never>((resolve, reject) => { timer = setTimeout(reject, options.timeout) })
      : new Promise<never>(() => {})
    const stored = await Promise.race([added, limit]).then((jobs) => jobs, () => undefined)
    clearTimeout(timer)
    if (stored === undefined) {
      // Redis refused (down, and no offline queue) or did not answer in time: either way, not stored.
      Promise.allSettled([added]) // never rejects: it only marks `added` handled, settled later or never
      throw new QueueUnavailableError(what, options.timeout)
    }
    return stored.map((job) => String(job.id))
  }

  async function flush (): Promise<void> {
    const turn = waiting
    waiting = []
    const now = Date.now()
    const app = options.appId === undefined ? {} : { appId: options.appId }
    const jobs: Array<{ name: string, data: JobData, opts: object }> = []
    /** Where each caller's events went: [job index, index in job] per event. */
    const places: Array<Array<[number, number]>> = []
    let open: QueuedEvent[] | undefined
    for (const { item } of turn) {
      const mine: Array<[number, number]> = []
      if ('job' in item) {
        // A keyed batch of more than batchSize events (a trigger to many channels): jobs of batchSize,
        // the first named by the key, the others by the key and their number.
        parts(item.job, options.batchSize).forEach((data, part) => {
          const jobId = item.jobId === undefined || part === 0 ? item.jobId : `${item.jobId}-part${part}`
          jobs.push({ name: data.kind, data: { ...data, enqueuedAt: now, ...app }, opts: jobId === undefined ? jobOptions : { ...jobOptions, jobId } })
          const count = data.kind === 'batch' ? data.events.length : 1
          for (let index = 0; index < count; index++) mine.push([jobs.length - 1, index])
        })
      } else {
        for (const event of item.events) {
          if (open === undefined || open.length >= options.batchSize) {
            open = []
            jobs.push({ name: 'batch', data: { kind: 'batch', events: open, enqueuedAt: now, ...app }, opts: jobOptions })
          }
          open.push(event)
          mine.push([jobs.length - 1, open.length - 1])
        }
      }
      places.push(mine)
    }
    try {
      const what = turn.length === 1 ? turn[0].item.what : `${turn.length} calls`
      const jobIds = isTraced(queueChannel)
        ? await traced(queueChannel, queueMessage('enqueue', countEvents(jobs)), async () => await store(jobs, what), settleEnqueue)
        : await store(jobs, what)
      turn.forEach(({ resolve }, i) => { resolve(places[i].map(([job, index]) => eventId(jobIds[job], index))) })
    } catch (error) {
      for (const { reject } of turn) reject(error)
    }
  }

  /** Adds one caller's events to this turn's addBulk; resolves to their ids. */
  async function add (item: Item): Promise<string[]> {
    if (options.isClosing()) throw new ClosedError()
    return await new Promise<string[]>((resolve, reject) => {
      // flush() settles every caller itself and never rejects.
      if (waiting.length === 0) setImmediate(flush)
      waiting.push({ item, resolve, reject })
    })
  }

  return { add, keyedJobId: (key: string) => keyedJobId(key, options.appId) }
}
