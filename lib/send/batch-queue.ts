import type { TriggerResponse } from '../../types/index'
import { AsyncResource } from 'node:async_hooks'
import { apiChannel, batchChannel, isTraced } from '../telemetry/channels'
import { batchMessage, batchOpenedAt } from '../telemetry/messages'

/** One event of a `batch_events` call, as the official client's triggerBatch takes it. */
export interface BatchEvent {
  channel: string
  name: string
  data: unknown
  socket_id?: string
}

export interface BatchQueueOptions {
  /** Sends one batch; resolves to the API's answer. */
  send: (events: BatchEvent[]) => Promise<unknown>
  /** Events per call (Pusher's limit on multi-tenant clusters is 10). */
  batchSize: number
  /** Calls in flight at once; more wait their turn, in order. */
  maxInFlight: number
}

interface Waiting {
  event: BatchEvent
  resolve: (answer: TriggerResponse) => void
  reject: (error: unknown) => void
}

interface Batch {
  waiting: Waiting[]
  /** performance.now() at its first event, when a subscriber of `fastify-pusher.batch` listened then; else 0. */
  openedAt: number
  /**
   * The async context of its first event's caller, when a subscriber of `fastify-pusher.api` listened
   * then: the call is made in it (a span's parent is that caller's), not in that of the call before,
   * whose end starts it when calls queue up.
   */
  scope?: AsyncResource
}

/** Publishes a batch handed to the API on `fastify-pusher.batch` (callers check for a subscriber first). */
function publishFlush (batch: Batch, ready: Batch[], open: Waiting[], inFlight: number): void {
  const queued = ready.reduce((sum, waiting) => sum + waiting.waiting.length, open.length)
  batchChannel.publish(batchMessage(batch.waiting.length, batch.openedAt, queued, inFlight))
}

/**
 * Auto-batching: events added during one turn of the event loop go out together as
 * `batch_events` calls of at most `batchSize` (at once when a batch is full), in the
 * order added, at most `maxInFlight` calls at a time. Each caller's promise settles
 * with its own event's outcome; a refused batch rejects each of its callers with the
 * same error.
 */
export function createBatchQueue ({ send, batchSize, maxInFlight }: BatchQueueOptions): { add: (event: BatchEvent) => Promise<TriggerResponse>, drain: () => Promise<void> } {
  let open: Waiting[] = []
  let openedAt = 0
  let scope: AsyncResource | undefined
  let scheduled = false
  const ready: Batch[] = []
  const inFlight = new Set<Promise<void>>()

  const dispatch = (): void => {
    while (inFlight.size < maxInFlight && ready.length > 0) {
      const next = ready.shift() as Batch
      if (batchChannel.hasSubscribers) publishFlush(next, ready, open, inFlight.size + 1)
      const batch = next.waiting
      const events = batch.map((waiting) => waiting.event)
      const sent = next.scope === undefined ? send(events) : next.scope.runInAsyncScope(send, undefined, events)
      const call = sent.then((answer) => {
        const each = (answer as { batch?: TriggerResponse[] }).batch
        batch.forEach((waiting, i) => { waiting.resolve(each?.[i] ?? {}) })
      }, (error: unknown) => {
        for (const waiting of batch) waiting.reject(error)
      }).finally(() => {
        inFlight.delete(call)
        dispatch()
      })
      inFlight.add(call)
    }
  }
  const close = (): void => {
    if (open.length === 0) return
    ready.push({ waiting: open, openedAt, scope })
    open = []
    dispatch()
  }

  return {
    add: async (event) => await new Promise<TriggerResponse>((resolve, reject) => {
      if (open.length === 0) {
        openedAt = batchChannel.hasSubscribers ? batchOpenedAt() : 0
        scope = isTraced(apiChannel) ? new AsyncResource('fastify-pusher.batch') : undefined
      }
      open.push({ event, resolve, reject })
      if (open.length >= batchSize) {
        close()
      } else if (!scheduled) {
        scheduled = true
        setImmediate(() => { scheduled = false; close() })
      }
    }),
    /** Sends what is waiting now, and resolves once every call has settled. */
    drain: async () => {
      close()
      while (inFlight.size > 0) await Promise.allSettled([...inFlight])
    }
  }
}
