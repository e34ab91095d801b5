import Pusher = require('pusher')
import type { ApiCall } from '../send/api-request'
import { TEST_TRANSPORT } from '../send/sender'

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
 * unit tests: pass it as the plugin's `client` option, or use it directly. Answers
 * are what Pusher answers with nothing to report: `{}` for events, no channels, no users.
 * Options are the official client's (`appId`, `key` and `secret` default to test values).
 */
export function pusherTestClient (options: Partial<Pusher.Options> = {}): PusherTestClient {
  const client = new Pusher({ appId: 'test-app', key: 'test-key', secret: 'test-secret', ...options } as Pusher.Options)
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
    if (call.method === 'GET') {
      if (call.path === '/channels') return { channels: {} }
      if (call.path.endsWith('/users')) return { users: [] }
      return { occupied: false }
    }
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
