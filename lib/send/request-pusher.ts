import type { FastifyInstance, FastifyRequest } from 'fastify'
import type { PusherBatchEvent, PusherTenant, RequestPusher } from '../../types/index'
import type { Senders } from './app-senders'
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

/** What `request.pusher` sends through: the app's senders, or (tenants) those found for the request, which may take a lookup. */
type SendersOf = Senders | ((request: FastifyRequest) => Promise<Senders>)

/** The same calls on senders found first, for a tenant's request. */
function later (find: () => Promise<Senders>): Senders {
  return {
    trigger: async (...args) => await (await find()).trigger(...args),
    triggerBatch: async (events) => await (await find()).triggerBatch(events),
    notify: async (...args) => await (await find()).notify(...args),
    sendToUser: async (...args) => await (await find()).sendToUser(...args),
    queue: {
      trigger: async (...args) => await (await find()).queue.trigger(...args),
      triggerBatch: async (events) => await (await find()).queue.triggerBatch(events),
      sendToUser: async (...args) => await (await find()).queue.sendToUser(...args)
    }
  } as Senders
}

/**
 * An app's `request.pusher`, for one request: its trigger, triggerBatch, notify, queue and afterReply
 * leave out the requesting socket; an explicit `socket_id` wins. `tenant` says whose app it is, when
 * the registration serves tenants.
 */
export function requestForm (sendersOf: SendersOf, options: AfterReplyOptions & { queued: boolean }, tenantOf: (request: FastifyRequest) => PusherTenant | undefined = () => undefined): RequestForm {
  return (request) => {
    const socketId = requestSocketId(request)
    const exclude = <T extends { socket_id?: string }>(params: T | undefined): T =>
      (socketId === undefined || params?.socket_id !== undefined ? params ?? {} : { ...params, socket_id: socketId }) as T
    const senders = typeof sendersOf === 'function' ? later(async () => await sendersOf(request)) : sendersOf
    const queue: RequestPusher['queue'] = {
      trigger: async (channel, event, data, params) => await senders.queue.trigger(channel, event, data, exclude(params)),
      triggerBatch: async (events) => await senders.queue.triggerBatch(events.map((event) => exclude(event))),
      sendToUser: senders.queue.sendToUser
    }
    const direct = {
      trigger: async (channel: string | string[], event: string, data: unknown, params?: { socket_id?: string }) => await senders.trigger(channel, event, data, exclude(params)),
      triggerBatch: async (events: PusherBatchEvent[]) => await senders.triggerBatch(events.map((event) => exclude(event))),
      sendToUser: senders.sendToUser
    }
    return {
      socketId,
      get tenant () { return tenantOf(request) },
      trigger: direct.trigger,
      triggerBatch: direct.triggerBatch,
      notify: async (userId, type, data, params) => await senders.notify(userId, type, data, exclude(params)),
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
