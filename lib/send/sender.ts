import { Agent as HttpAgent } from 'node:http'
import { Agent as HttpsAgent } from 'node:https'
import type Pusher = require('pusher')
import type { CallContext } from './api-error'
import { apiRequest, type ApiCall, type TransportOptions } from './api-request'
import { InFlightCalls } from './in-flight-calls'

export interface SendOptions {
  timeout: number
  retries: number
  retryUnsafe: boolean
  /** The user's own agent; otherwise a keep-alive one the sender owns. */
  agent?: HttpAgent
}

/** A client carrying a function under this symbol sends through it instead of the network (`fastify-pusher/testing`). */
export const TEST_TRANSPORT = Symbol.for('fastify-pusher.testTransport')

/** At most this many connections to the API at once, kept alive between calls. */
export const MAX_SOCKETS = 16

/** What a call was about (an event, or a batch of them), read from the body the official client built. */
function callContext (call: ApiCall): CallContext {
  const body = (call.body ?? {}) as { name?: string, channels?: string[], batch?: Array<{ name: string, channel: string }> }
  if (body.name === undefined && body.batch === undefined) return { what: `${call.method} ${call.path}` }
  const events = body.batch ?? [{ name: body.name as string, channel: '' }]
  const names = [...new Set(events.map((event) => event.name))]
  const channels = body.batch === undefined ? body.channels as string[] : [...new Set(body.batch.map((event) => event.channel))]
  const what = events.length === 1 ? `event "${names[0]}" on ${channels.join(', ')}` : `${events.length} events (${names.join(', ')}) on ${channels.join(', ')}`
  return names.length === 1 ? { what, event: names[0], channels } : { what, channels }
}

export interface Sender {
  /** The official client, its requests sent through this sender: its trigger, triggerBatch, ... resolve to the parsed answer. */
  client: Pusher
  /** Cuts off every call under way (FST_PUSHER_CLOSED) and refuses later ones. */
  abort: () => void
  /** The calls `abort` cut off or refused. */
  cutOff: () => number
  /** Resolves once no API call is under way. */
  idle: () => Promise<void>
  close: () => void
}

/**
 * The official client does the checking, body building, encryption and signing;
 * this sends: a keep-alive bounded pool, a timeout over the whole call, retries of
 * what was never sent, and typed errors for every failure (a 200 with `{ error }`
 * included). The user's client object is not changed: a view of it is.
 */
export function createSender (client: Pusher, options: SendOptions): Sender {
  const scheme = (client as unknown as { config: { scheme: string } }).config.scheme
  const own = options.agent === undefined
  const agent = options.agent ?? (scheme === 'https' ? new HttpsAgent({ keepAlive: true, maxSockets: MAX_SOCKETS }) : new HttpAgent({ keepAlive: true, maxSockets: MAX_SOCKETS }))
  const calls = new InFlightCalls()
  const transport: TransportOptions = { agent, timeout: options.timeout, retries: options.retries, retryUnsafe: options.retryUnsafe, calls }
  const testTransport = (client as unknown as Record<symbol, ((call: ApiCall) => Promise<unknown>) | undefined>)[TEST_TRANSPORT]
  const send = (method: ApiCall['method']) => async (call: Omit<ApiCall, 'method'>): Promise<unknown> =>
    testTransport !== undefined
      ? await testTransport({ ...call, method })
      : await apiRequest(client, transport, { ...call, method }, () => callContext({ ...call, method }))
  const view: Pusher = Object.create(client, { post: { value: send('POST') }, get: { value: send('GET') } })
  return {
    client: view,
    abort: () => { calls.abortAll() },
    cutOff: () => calls.cutOff,
    idle: async () => { await calls.idle() },
    close: () => { if (own) agent.destroy() }
  }
}
