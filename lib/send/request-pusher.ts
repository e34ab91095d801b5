import type { FastifyInstance, FastifyRequest } from 'fastify'
import type { FastifyPusher, PusherBatchEvent, RequestPusher } from '../../types/index'
import { createAfterReply, registerAfterReply, type AfterReplyOptions, type AfterReplySenders } from './after-reply'
import { SOCKET_ID_MAX_LENGTH, SOCKET_ID_PATTERN } from '../schemas/auth'

const socketIdPattern = new RegExp(SOCKET_ID_PATTERN)
const cache = Symbol('fastify-pusher request.pusher')

/** The requesting client's socket id, from X-Socket-ID (what Laravel Echo's interceptors send). */
function requestSocketId (request: FastifyRequest): string | undefined {
  const header = request.headers['x-socket-id']
  if (header === undefined) return undefined
  if (typeof header === 'string' && header.length <= SOCKET_ID_MAX_LENGTH && socketIdPattern.test(header)) return header
  request.log.debug('fastify-pusher: ignored a malformed X-Socket-ID header')
  return undefined
}

/** Builds an app's `request.pusher` for one request (its `apps` are added by the registry). */
export type RequestForm = (request: FastifyRequest) => Omit<RequestPusher, 'apps'>

/**
 * An app's `request.pusher`, for one request: its trigger, triggerBatch, notify, queue and afterReply
 * leave out the requesting socket; an explicit `socket_id` wins.
 */
export function requestForm (pusher: FastifyPusher, options: AfterReplyOptions & { queued: boolean }): RequestForm {
  return (request) => {
    const socketId = requestSocketId(request)
    const exclude = <T extends { socket_id?: string }>(params: T | undefined): T =>
      (socketId === undefined || params?.socket_id !== undefined ? params ?? {} : { ...params, socket_id: socketId }) as T
    const queue: RequestPusher['queue'] = {
      trigger: async (channel, event, data, params) => await pusher.queue.trigger(channel, event, data, exclude(params)),
      triggerBatch: async (events) => await pusher.queue.triggerBatch(events.map((event) => exclude(event))),
      sendToUser: async (userId, event, data) => await pusher.queue.sendToUser(userId, event, data)
    }
    const direct = {
      trigger: async (channel: string | string[], event: string, data: unknown, params?: { socket_id?: string }) => await pusher.trigger(channel, event, data, exclude(params)),
      triggerBatch: async (events: PusherBatchEvent[]) => await pusher.triggerBatch(events.map((event) => exclude(event))),
      sendToUser: pusher.sendToUser
    }
    return {
      socketId,
      trigger: direct.trigger,
      triggerBatch: direct.triggerBatch,
      notify: async (userId, type, data, params) => await pusher.notify(userId, type, data, exclude(params)),
      // The socket id is read now and stored with the event: it is left out whenever the worker sends it.
      queue,
      afterReply: createAfterReply(request, (options.queued ? queue : direct) as AfterReplySenders, options)
    }
  }
}

/**
 * `request.pusher` (declared once per instance): built on first use only (a getter), so a request that
 * does not use it pays nothing; `build` makes it (the default app's, with the named apps' under `apps`).
 */
export function decorateRequestPusher (fastify: FastifyInstance, build: (request: FastifyRequest) => RequestPusher): void {
  registerAfterReply(fastify)
  fastify.decorateRequest('pusher', {
    getter (this: FastifyRequest & { [cache]?: RequestPusher }): RequestPusher {
      if (this[cache] === undefined) this[cache] = build(this)
      return this[cache]
    }
  })
}
