import { hash } from 'node:crypto'
import type { FastifyInstance, FastifyRequest } from 'fastify'
import secureJson from 'secure-json-parse'
import type { MaybePromise, PusherRouteOptions } from '../../types/index'
import { responses, routeSchema, serializeAsJson } from '../openapi'
import { routeFields, schemaFields } from '../config/route-options'
import { pluginValidator } from '../validator'
import { isPromiseLike, then } from '../call-handler'
import { NoWebhookHandlerError, WebhookBodyError, WebhookContentTypeError, WebhookExpiredError } from '../errors'
import { WebhookPayload, WebhookResponse, WIRE_PAYLOAD } from '../schemas'
import { dispatchDelivery, type Dedupe, type Delivery } from './dispatch'
import { isTraced, webhookChannel, webhookEventChannel } from '../telemetry/channels'
import { dispatchReport, webhookMessage } from '../telemetry/messages'
import { routeUrl, traced } from '../telemetry/trace'
import { settleWebhook } from '../telemetry/webhook-report'
import { CATEGORIES, normaliseEvents, type Category } from './events'
import type { WebhookHandlers } from './handlers'
import { verifyWebhookSignature, type WebhookSigner } from './signature'

export interface WebhookRoutesOptions {
  /**
   * The request's signing tokens, and the prefix of its delivery ids in the dedupe store (a named app's
   * `{name}:`, a tenant's app id after it): the app's, at hand, or the tenant's X-Pusher-Key names (a lookup, maybe).
   */
  signer: (request: FastifyRequest) => MaybePromise<WebhookSigner>
  handlers: WebhookHandlers
  dedupe: Dedupe | undefined
  maxAgeMs: number | undefined
  routeOptions: PusherRouteOptions
}

const OK = { ok: true }

/** How far in the future a `time_ms` may be (clocks differ) when the replay window is on. */
export const MAX_CLOCK_SKEW_MS = 60_000

/** The routes under {prefix}/events: one per category, and `/events` itself for every event. */
const ROUTES: Array<{ url: string, categories: readonly Category[] | undefined, summary: string, what: string }> = [
  ...CATEGORIES.map((category) => ({
    url: `/events/${category.path}`,
    categories: [category],
    summary: `Pusher webhook: ${category.events.join(', ')} events`,
    what: `${category.path} events (webhooks.${category.handler}, or webhooks.on(${[...category.events, '*'].map((name) => `'${name}'`).join(' | ')}))`
  })),
  { url: '/events', categories: undefined, summary: 'Pusher webhook: every event', what: 'any event (a category handler, or webhooks.on)' }
]

/** The webhook routes' paths under the prefix. */
export const WEBHOOK_PATHS = ROUTES.map((route) => route.url)

/**
 * POST {prefix}/events/*. The body is kept raw (in this scope only) so that the
 * signature is checked over the exact bytes Pusher signed; only then is it parsed
 * (safely), validated, normalised and dispatched.
 */
export async function webhookRoutes (fastify: FastifyInstance, { signer, handlers, dedupe, maxAgeMs, routeOptions }: WebhookRoutesOptions): Promise<void> {
  fastify.removeAllContentTypeParsers()
  const keepRaw = (_request: FastifyRequest, body: Buffer, done: (error: null, body: Buffer) => void): void => { done(null, body) }
  // JSON by its own name (Fastify caches the parser it finds for it; the catch-all it
  // looks up again on every request), anything else raw too: refused after the signature check.
  fastify.addContentTypeParser('application/json', { parseAs: 'buffer' }, keepRaw)
  fastify.addContentTypeParser('*', { parseAs: 'buffer' }, keepRaw)
  fastify.decorateRequest(kDeliveryId as unknown as string, '')

  for (const route of ROUTES) {
    fastify.post(route.url, {
      ...routeFields(routeOptions, {
        // Checked first: a route with nothing to call refuses before the body is read.
        onRequest: (_request, _reply, done) => { done(handlers.hasWork(route.categories) ? undefined : new NoWebhookHandlerError(route.what)) }
      }),
      schema: routeSchema({
        summary: route.summary,
        consumes: ['application/json'],
        body: route.categories === undefined ? WebhookPayload : route.categories[0].schema,
        response: responses(WebhookResponse, [400, 403, 404, 409, 413, 415, 500, 503]),
        ...schemaFields(routeOptions)
      }),
      // Documented with the route's own events; checked against every event (a batch may hold others).
      validatorCompiler: pluginValidator({ instead: { body: WIRE_PAYLOAD } }),
      serializerCompiler: serializeAsJson,
      // Hooks and handler in callback / plain style: no promise per request unless a handler or the store makes one.
      preValidation: (request, _reply, done) => {
        let signed: MaybePromise<WebhookSigner>
        try {
          signed = signer(request)
        } catch (error) {
          done(error as Error)
          return
        }
        if (isPromiseLike(signed)) Promise.resolve(signed).then((found) => { checkDelivery(request, found, dedupe, done) }, done)
        else checkDelivery(request, signed, dedupe, done)
      }
    }, (request: FastifyRequest) => {
      const delivery = request.body as Delivery
      if (maxAgeMs !== undefined) checkAge(request, delivery.time_ms, maxAgeMs)
      normaliseEvents(delivery.events)
      const claims = dedupe === undefined ? undefined : { dedupe, deliveryId: (request as WithDeliveryId)[kDeliveryId] }
      if (!isTraced(webhookChannel) && !webhookEventChannel.hasSubscribers) {
        const dispatched = dispatchDelivery(request, handlers, route.categories, delivery, claims)
        return dispatched === undefined ? OK : then(dispatched, () => OK)
      }
      const report = dispatchReport()
      return traced(webhookChannel, webhookMessage(routeUrl(request), delivery.events.length), () =>
        then(dispatchDelivery(request, handlers, route.categories, delivery, claims, report), () => OK),
      (message, failure) => { settleWebhook(message, failure, delivery.events, report) })
    })
  }
}

/** The signature over the raw body, then the body parsed; the delivery's id for the dedupe store. */
function checkDelivery (request: FastifyRequest, { tokens, deliveryPrefix }: WebhookSigner, dedupe: Dedupe | undefined, done: (error?: Error) => void): void {
  try {
    const rawBody = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0)
    verifyWebhookSignature(tokens, request.headers, rawBody)
    request.body = parseJsonBody(request, rawBody)
    if (dedupe !== undefined) (request as WithDeliveryId)[kDeliveryId] = deliveryPrefix + deliveryId(rawBody)
  } catch (error) {
    done(error as Error)
    return
  }
  done()
}

/** The delivery's id for dedupe, set on the request (a decoration of this scope only) between the hooks and the handler. */
const kDeliveryId = Symbol('fastify-pusher.webhookDeliveryId')
type WithDeliveryId = FastifyRequest & { [kDeliveryId]: string }

/** The SHA-256 of the raw body, in base64url: the delivery's name in the dedupe store. Node's one-shot `crypto.hash` (20.12+): 0.2 µs for a delivery of one event, against 0.6 µs with createHash (measured). */
const deliveryId = (rawBody: Buffer): string => hash('sha256', rawBody, 'base64url')

/** The replay window: refuse (and log) a delivery sent longer ago than `maxAgeMs`, or too far ahead. */
function checkAge (request: FastifyRequest, timeMs: number, maxAgeMs: number): void {
  const now = Date.now()
  if (timeMs >= now - maxAgeMs && timeMs <= now + MAX_CLOCK_SKEW_MS) return
  request.log.warn({ time_ms: timeMs, ageMs: now - timeMs, maxAgeMs }, 'fastify-pusher: a webhook outside the replay window was refused')
  throw new WebhookExpiredError()
}

const MAYBE_UNSAFE = /__proto__|constructor|\\u/

function parseJsonBody (request: FastifyRequest, rawBody: Buffer): unknown {
  const contentType = request.headers['content-type'] ?? ''
  if (contentType.split(';')[0].trim().toLowerCase() !== 'application/json') {
    throw new WebhookContentTypeError(JSON.stringify(contentType))
  }
  try {
    const text = rawBody.toString('utf8')
    // A body with neither key nor any \u escape (the only other way to spell them) cannot
    // hold one: JSON.parse alone. Otherwise secure-json-parse, which finds and refuses them.
    // (Its own scan cost 2 µs a delivery of 100 events; three Buffer#includes 4 µs; this one
    // regular expression over the text 1.6 µs, measured.)
    if (!MAYBE_UNSAFE.test(text)) return JSON.parse(text)
    return secureJson.parse(text, undefined, { protoAction: 'error', constructorAction: 'error' })
  } catch (error) {
    // A SyntaxError (both parsers take bodies nested thousands of levels deep: test/webhooks/deep-body.test.ts)
    throw new WebhookBodyError((error as Error).message)
  }
}
