import type Pusher = require('pusher')
import type { Serialize, TriggerResponse } from '../../types/index'
import { ClosedError } from '../errors'
import { createBatchQueue, type BatchEvent } from './batch-queue'
import { checkEvent } from './checks'
import { clientData, isEncryptedChannel, serializeData } from './event-data'

/** Pusher's limit of channels in one trigger. */
export const MAX_TRIGGER_CHANNELS = 100

export interface TriggerOptions {
  serialize: Serialize
  maxEventBytes: number
  batching: boolean
  batchSize: number
  maxInFlight: number
}

interface TriggerParams { socket_id?: string, info?: string }
interface BatchInput { channel: string, name: string, data: unknown, socket_id?: string, info?: string }

const chunks = <T>(items: T[], size: number): T[][] =>
  Array.from({ length: Math.ceil(items.length / size) }, (_, i) => items.slice(i * size, (i + 1) * size))

/**
 * trigger and triggerBatch: checked before anything is sent, split to Pusher's limits,
 * and, for one plain channel, auto-batched. Every failure is a rejection. `client`
 * is the official client whose calls go through the plugin's sender.
 */
export function createTriggers (client: Pusher, options: TriggerOptions) {
  let closing = false
  const calls = new Set<Promise<unknown>>()
  const track = async <T>(call: Promise<T>): Promise<T> => {
    calls.add(call)
    try {
      return await call
    } finally {
      calls.delete(call)
    }
  }
  const queue = createBatchQueue({
    send: async (events) => await client.triggerBatch(events),
    batchSize: options.batchSize,
    maxInFlight: options.maxInFlight
  })

  async function trigger (to: string | string[], event: string, data: unknown, params: TriggerParams = {}): Promise<TriggerResponse> {
    if (closing) throw new ClosedError()
    const channels = Array.isArray(to) ? [...to] : [to]
    const text = serializeData(options.serialize, data)
    checkEvent({ channels, event, text, socketId: params.socket_id }, options.maxEventBytes)
    if (options.batching && channels.length === 1 && params.info === undefined && !isEncryptedChannel(channels[0])) {
      const queued: BatchEvent = { channel: channels[0], name: event, data: text }
      if (params.socket_id !== undefined) queued.socket_id = params.socket_id
      return await queue.add(queued)
    }
    // Pusher forbids mixing encrypted channels with others: each goes on its own.
    const groups = [...chunks(channels.filter((channel) => !isEncryptedChannel(channel)), MAX_TRIGGER_CHANNELS), ...channels.filter(isEncryptedChannel).map((channel) => [channel])]
    const outcomes = await Promise.allSettled(groups.map(async (group) =>
      await track(client.trigger(group, event, clientData(text, isEncryptedChannel(group[0])), params)) as TriggerResponse))
    const failed = groups.filter((_, i) => outcomes[i].status === 'rejected').flat()
    const firstFailure = outcomes.find((outcome): outcome is PromiseRejectedResult => outcome.status === 'rejected')
    if (firstFailure !== undefined) throw Object.assign(firstFailure.reason as Error, { channels: failed })
    return merge(outcomes.map((outcome) => (outcome as PromiseFulfilledResult<TriggerResponse>).value))
  }

  async function triggerBatch (events: BatchInput[]): Promise<TriggerResponse> {
    if (closing) throw new ClosedError()
    const prepared = events.map((event) => {
      const text = serializeData(options.serialize, event.data)
      checkEvent({ channels: [event.channel], event: event.name, text, socketId: event.socket_id }, options.maxEventBytes)
      return { ...event, data: clientData(text, isEncryptedChannel(event.channel)) }
    })
    const batches = chunks(prepared, options.batchSize)
    const answers = await Promise.all(batches.map(async (batch) =>
      await track(client.triggerBatch(batch)) as TriggerResponse))
    if (answers.every((answer) => answer.batch === undefined)) return {}
    return { batch: answers.flatMap((answer, i) => answer.batch ?? batches[i].map(() => ({}))) }
  }

  return {
    trigger,
    triggerBatch,
    /** From now on every call rejects with FST_PUSHER_CLOSED. */
    close: () => { closing = true },
    isClosing: () => closing,
    /** Resolves once every queued and in-flight call has settled. */
    drain: async () => {
      await queue.drain()
      while (calls.size > 0) await Promise.allSettled([...calls])
    }
  }
}

/** The answers of a trigger split in several calls, as one: their `channels` merged. */
function merge (answers: TriggerResponse[]): TriggerResponse {
  if (answers.length === 1) return answers[0]
  const withChannels = answers.filter((answer) => answer.channels !== undefined)
  if (withChannels.length === 0) return {}
  return { channels: Object.assign({}, ...withChannels.map((answer) => answer.channels)) }
}
