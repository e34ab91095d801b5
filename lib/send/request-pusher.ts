import type { FastifyInstance, FastifyRequest } from 'fastify'
import type { FastifyPusher, RequestPusher } from '../../types/index'
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

/**
 * `request.pusher`: built on first use only (a getter), so a request that does not
 * use it pays nothing. Its trigger, triggerBatch and notify leave out the requesting socket;
 * an explicit `socket_id` wins.
 */
export function decorateRequestPusher (fastify: FastifyInstance, pusher: FastifyPusher): void {
  fastify.decorateRequest('pusher', {
    getter (this: FastifyRequest & { [cache]?: RequestPusher }): RequestPusher {
      if (this[cache] !== undefined) return this[cache]
      const socketId = requestSocketId(this)
      const exclude = <T extends { socket_id?: string }>(params: T | undefined): T =>
        (socketId === undefined || params?.socket_id !== undefined ? params ?? {} : { ...params, socket_id: socketId }) as T
      this[cache] = {
        socketId,
        trigger: async (channel, event, data, params) => await pusher.trigger(channel, event, data, exclude(params)),
        triggerBatch: async (events) => await pusher.triggerBatch(events.map((event) => exclude(event))),
        notify: async (userId, type, data, params) => await pusher.notify(userId, type, data, exclude(params))
      }
      return this[cache]
    }
  })
}
