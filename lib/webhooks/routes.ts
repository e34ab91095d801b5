import type { FastifyInstance, FastifyRequest } from 'fastify'
import type Pusher from 'pusher'
import secureJson from 'secure-json-parse'
import type { PusherRouteOptions } from '../../types/index'
import type { Handlers } from '../decorator'
import { responses, routeSchema, serializeAsJson } from '../openapi'
import { routeFields, schemaFields } from '../config/route-options'
import { pluginValidator } from '../validator'
import { callHandler } from '../call-handler'
import { signingToken } from '../config/client'
import { NoWebhookHandlerError, WebhookBodyError, WebhookContentTypeError } from '../errors'
import { ChannelExistenceWebhook, ClientEventWebhook, PresenceWebhook, WebhookResponse } from '../schemas'
import { verifyWebhookSignature } from './signature'

export interface WebhookRoutesOptions {
  client: Pusher
  handlers: Handlers
  routeOptions: PusherRouteOptions
}

/** The three webhook routes: path under {prefix}/events/, handler name, payload schema. */
export const WEBHOOKS = [
  { path: 'channel_existence', handler: 'channelExistence', schema: ChannelExistenceWebhook },
  { path: 'presence', handler: 'presence', schema: PresenceWebhook },
  { path: 'client', handler: 'client', schema: ClientEventWebhook }
] as const

type WebhookName = typeof WEBHOOKS[number]['handler']

/**
 * POST {prefix}/events/*. The body is kept raw (in this scope only) so that the
 * signature is checked over the exact bytes Pusher signed; only then is it parsed
 * (safely) and validated against the event schema.
 */
export async function webhookRoutes (fastify: FastifyInstance, { client, handlers, routeOptions }: WebhookRoutesOptions): Promise<void> {
  const token = signingToken(client)
  fastify.removeAllContentTypeParsers()
  fastify.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => { done(null, body) })

  const handlerFor = (name: WebhookName): NonNullable<Handlers[WebhookName]> => {
    const handler = handlers[name]
    if (handler === undefined) throw new NoWebhookHandlerError(name)
    return handler
  }

  for (const webhook of WEBHOOKS) {
    fastify.post(`/events/${webhook.path}`, {
      ...routeFields(routeOptions, {}),
      schema: routeSchema({
        summary: `Pusher webhook: ${webhook.path} events`,
        consumes: ['application/json'],
        body: webhook.schema,
        response: responses(WebhookResponse, [400, 403, 404, 413, 415, 500]),
        ...schemaFields(routeOptions)
      }),
      validatorCompiler: pluginValidator(),
      serializerCompiler: serializeAsJson,
      preValidation: async (request) => {
        handlerFor(webhook.handler)
        const rawBody = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0)
        verifyWebhookSignature(token, request.headers, rawBody)
        request.body = parseJsonBody(request, rawBody)
      }
    }, async (request) => {
      const handler = handlerFor(webhook.handler) as (request: FastifyRequest, payload: unknown) => unknown
      await callHandler(`${webhook.handler} webhook`, handler, request, request.body)
      return { ok: true }
    })
  }
}

function parseJsonBody (request: FastifyRequest, rawBody: Buffer): unknown {
  const contentType = request.headers['content-type'] ?? ''
  if (contentType.split(';')[0].trim().toLowerCase() !== 'application/json') {
    throw new WebhookContentTypeError(JSON.stringify(contentType))
  }
  try {
    return secureJson.parse(rawBody.toString('utf8'), undefined, { protoAction: 'error', constructorAction: 'error' })
  } catch (error) {
    throw new WebhookBodyError((error as Error).message)
  }
}
