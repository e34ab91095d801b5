import Pusher = require('pusher')
import type { ApiCall } from '../send/api-request'
import { TEST_TRANSPORT } from '../send/sender'
import { apiFailure } from '../send/api-error'
import { ApiNetworkError, ApiTimeoutError } from '../errors'

/** One event the test client was asked to send. */
export interface SentEvent {
  channels: string[]
  event: string
  /** Parsed from the JSON text sent (decrypted first on an encrypted channel); the text itself when it is not JSON. */
  data: unknown
  socket_id?: string
}

/** One API call the test client received instead of sending it. */
export interface RecordedCall {
  method: 'GET' | 'POST'
  path: string
  params?: object
  body?: object
}

/** What the API says of an occupied channel (a presence channel's `user_count` comes from `users` when set there). */
export interface ScriptedChannel {
  subscription_count?: number
  user_count?: number
}

/** A call's failure: the status the API answers with (the plugin's FST_PUSHER_API_ERROR), or no answer at all. */
export type ScriptedFailure = { status: number, message?: string } | 'timeout' | 'unreachable'

export type PusherTestClientOptions = Partial<Pusher.Options> & {
  /** The occupied channels, and what the API says of each. */
  channels?: Record<string, ScriptedChannel>
  /** The members of presence channels, by channel: each such channel is occupied, its `user_count` their number. */
  users?: Record<string, string[]>
  /** Makes a call fail: return a failure for it, or undefined to answer it. */
  fail?: (call: RecordedCall) => ScriptedFailure | undefined
}

export type PusherTestClient = Pusher & {
  /** Every event sent, one entry per event, in order (`sendToUser`: on `#server-to-user-{id}`). */
  readonly sent: SentEvent[]
  /** Every API call, in order. */
  readonly calls: RecordedCall[]
}

interface EventBody { name: string, data: string, channel?: string, channels?: string[], socket_id?: string }

// tweetnacl is the official client's own dependency (it encrypts with it).
const nacl = require(require.resolve('tweetnacl', { paths: [require.resolve('pusher')] })) as {
  secretbox: { open: (box: Uint8Array, nonce: Uint8Array, key: Uint8Array) => Uint8Array | null }
}

/**
 * An official `pusher` client that records every API call instead of sending it, for
 * unit tests: pass it as the plugin's `client` option, or use it directly. It answers the
 * channel and user queries from `channels` and `users` (by default: no channel is occupied),
 * `{}` for events, and fails the calls `fail` chooses with the errors the plugin's sender makes.
 * The other options are the official client's (`appId`, `key` and `secret` default to test values).
 */
export function pusherTestClient ({ channels = {}, users = {}, fail, ...options }: PusherTestClientOptions = {}): PusherTestClient {
  const client = new Pusher({ appId: 'test-app', key: 'test-key', secret: 'test-secret', ...options } as Pusher.Options)
  const timeout = (client as unknown as { config: { timeout?: number } }).config.timeout ?? 0
  const sent: SentEvent[] = []
  const calls: RecordedCall[] = []

  const dataOf = (text: string, channel: string): unknown => {
    let value: unknown = text
    try { value = JSON.parse(text) } catch { return text }
    if (channel.startsWith('private-encrypted-')) {
      const { nonce, ciphertext } = value as { nonce: string, ciphertext: string }
      const secret = (client as unknown as { channelSharedSecret: (name: string) => Uint8Array }).channelSharedSecret(channel)
      // Encrypted by the official client with this very key: it opens.
      const opened = nacl.secretbox.open(Buffer.from(ciphertext, 'base64'), Buffer.from(nonce, 'base64'), secret) as Uint8Array
      return JSON.parse(Buffer.from(opened).toString('utf8'))
    }
    return value
  }
  const record = (event: EventBody): void => {
    const channels = event.channels ?? [event.channel as string]
    const entry: SentEvent = { channels, event: event.name, data: dataOf(event.data, channels[0]) }
    if (event.socket_id !== undefined) entry.socket_id = event.socket_id
    sent.push(entry)
  }
  const answer = (call: ApiCall): object => {
    calls.push(call)
    const failure = fail?.(call)
    if (failure !== undefined) throw failed(call, failure, timeout)
    if (call.method === 'GET') return query(call.path, (call.params ?? {}) as Record<string, string>, channels, users)
    if (call.path === '/events') record(call.body as EventBody)
    if (call.path === '/batch_events') {
      const { batch } = call.body as { batch: EventBody[] }
      for (const event of batch) record(event)
      return { batch: batch.map(() => ({})) }
    }
    return {}
  }
  // What the plugin's sender calls instead of the network.
  const transport = async (call: ApiCall): Promise<unknown> => answer(call)
  // What the official client's own methods call: a fetch-like response.
  const respond = (method: 'GET' | 'POST') => async (call: Omit<ApiCall, 'method'>) => {
    const body = answer({ ...call, method })
    return { status: 200, ok: true, json: async () => body, text: async () => JSON.stringify(body) }
  }
  Object.defineProperties(client, {
    [TEST_TRANSPORT]: { value: transport },
    post: { value: respond('POST') },
    get: { value: respond('GET') },
    sent: { value: sent, enumerable: true },
    calls: { value: calls, enumerable: true }
  })
  return client as PusherTestClient
}

const CONTEXT = { what: 'a scripted call' }

/** The error the plugin's sender makes for such a failure. */
function failed (call: ApiCall, failure: ScriptedFailure, timeout: number): Error {
  const what = `${call.method} ${call.path}`
  if (failure === 'timeout') return new ApiTimeoutError(what, timeout)
  if (failure === 'unreachable') return new ApiNetworkError(what, 'connect ECONNREFUSED (scripted)')
  const message = failure.message ?? 'scripted failure'
  return apiFailure(failure.status, JSON.stringify({ error: message }), { error: message }, () => ({ ...CONTEXT, what })) as Error
}

/** A channel or user query, answered from the script: Pusher's shapes, the `info` asked for only. */
function query (path: string, params: Record<string, string>, channels: Record<string, ScriptedChannel>, users: Record<string, string[]>): object {
  const names = [...new Set([...Object.keys(channels), ...Object.keys(users)])]
  const asked = new Set((params.info ?? '').split(',').filter((name) => name !== ''))
  const attributes = (name: string): Record<string, number> => {
    const known: Record<string, number | undefined> = { ...channels[name], ...(users[name] === undefined ? {} : { user_count: users[name].length }) }
    return Object.fromEntries(Object.entries(known).filter((entry): entry is [string, number] => asked.has(entry[0]) && entry[1] !== undefined))
  }
  if (path === '/channels') {
    const prefix = params.filter_by_prefix ?? ''
    return { channels: Object.fromEntries(names.filter((name) => name.startsWith(prefix)).map((name) => [name, attributes(name)])) }
  }
  const [, , name, what] = path.split('/')
  if (what === 'users') return { users: (users[name] ?? []).map((id) => ({ id })) }
  return names.includes(name) ? { occupied: true, ...attributes(name) } : { occupied: false }
}
