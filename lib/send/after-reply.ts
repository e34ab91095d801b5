import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { AfterReply, PusherBatchEvent, Serialize } from '../../types/index'
import { checkEvent } from './checks'
import { serializeData } from './event-data'
import { checkUserId } from './users-and-channels'

/** One held send: made once the reply has gone out, or dropped. */
interface Held { send: () => Promise<unknown>, event: string, channel: string }

const held = Symbol('fastify-pusher afterReply')
type Holding = FastifyRequest & { [held]: Held[] | null }

export interface AfterReplyOptions { serialize: Serialize, maxEventBytes: number }

/** Where held sends go: the queue's calls, or the direct ones (the requesting socket left out either way). */
export interface AfterReplySenders {
  trigger: (channel: string | string[], event: string, data: unknown, params?: { socket_id?: string }) => Promise<unknown>
  triggerBatch: (events: PusherBatchEvent[]) => Promise<unknown>
  sendToUser: (userId: string | number, event: string, data: unknown) => Promise<unknown>
}

/**
 * `request.pusher.afterReply`: sends held until Fastify has sent the reply, then made (through the
 * queue when one is configured, otherwise directly) if its status is below 400, or dropped (logged at
 * debug level) when it is not or the request was aborted. Each call is checked at once, so a mistake
 * throws in the handler; a later failure is logged at error level with the event and channel, never the
 * data, and is never an unhandled rejection.
 */
export function createAfterReply (request: FastifyRequest, via: AfterReplySenders, options: AfterReplyOptions): AfterReply {
  const hold = (item: Held): void => {
    const holding = request as Holding
    holding[held] ??= []
    holding[held].push(item)
  }
  const check = (channels: string[], event: string, data: unknown, socketId: unknown): void => {
    checkEvent({ channels, event, text: serializeData(options.serialize, data), socketId }, options.maxEventBytes)
  }
  return {
    trigger: (channel, event, data, params) => {
      const channels = Array.isArray(channel) ? channel : [channel]
      check(channels, event, data, params?.socket_id)
      hold({ send: async () => await via.trigger(channel, event, data, params), event, channel: channels.join(',') })
    },
    triggerBatch: (events: PusherBatchEvent[]) => {
      for (const event of events) check([event.channel], event.name, event.data, event.socket_id)
      hold({ send: async () => await via.triggerBatch(events), event: [...new Set(events.map((event) => event.name))].join(','), channel: [...new Set(events.map((event) => event.channel))].join(',') })
    },
    sendToUser: (userId, event, data) => {
      checkUserId(userId, String(event).slice(0, 64))
      check(['user'], event, data, undefined)
      hold({ send: async () => await via.sendToUser(userId, event, data), event, channel: 'a user' })
    }
  }
}

/** The hook that makes or drops what `afterReply` held, once the reply has gone out. */
export function registerAfterReply (fastify: FastifyInstance): void {
  fastify.decorateRequest(held, null)
  const drop = (request: FastifyRequest, why: string): void => {
    const items = (request as Holding)[held]
    if (items === null) return
    ;(request as Holding)[held] = null
    request.log.debug({ events: items.length }, `fastify-pusher: afterReply events dropped: ${why}`)
  }
  // The client went away before the reply: what its request held is dropped, whatever the handler answers later.
  fastify.addHook('onRequestAbort', (request: FastifyRequest, done: () => void) => {
    drop(request, 'the request was aborted')
    done()
  })
  fastify.addHook('onResponse', (request: FastifyRequest, reply: FastifyReply, done: () => void) => {
    done()
    if (reply.statusCode >= 400) drop(request, `the reply was a ${reply.statusCode}`)
    const items = (request as Holding)[held]
    if (items === null) return
    for (const item of items) {
      item.send().catch((error: { code?: string, statusCode?: number }) => {
        request.log.error({ event: item.event, channel: item.channel, code: error.code, statusCode: error.statusCode }, 'fastify-pusher: an afterReply event was not sent')
      })
    }
  })
}
