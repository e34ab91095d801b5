import { pairToken } from '../config/client'

export interface SignedWebhook {
  /** `content-type`, `x-pusher-key` and `x-pusher-signature`, as Pusher sends them. */
  headers: { 'content-type': 'application/json', 'x-pusher-key': string, 'x-pusher-signature': string }
  /** The body, exactly the bytes that were signed. */
  payload: string
}

/**
 * A webhook delivery signed as Pusher signs it (HMAC-SHA256 of the body under the
 * secret, by the official client's token), ready for `app.inject({ method: 'POST', url, ...signed })`.
 * `payload` is the body text, or an object made into JSON (`time_ms` defaults to now).
 */
export function signWebhook ({ key, secret }: { key: string, secret: string }, payload: string | { time_ms?: number, events: unknown[] }): SignedWebhook {
  const body = typeof payload === 'string' ? payload : JSON.stringify({ time_ms: Date.now(), ...payload })
  return {
    headers: { 'content-type': 'application/json', 'x-pusher-key': key, 'x-pusher-signature': pairToken(key, secret).sign(body) },
    payload: body
  }
}

type Credentials = { key: string, secret: string }

/**
 * A signed delivery of presence events for `channel`: `member_added` for each of `added`, then
 * `member_removed` for each of `removed` (user ids), as Pusher sends them.
 */
export function presenceWebhook (credentials: Credentials, { channel, added = [], removed = [], time_ms: timeMs }: { channel: string, added?: string[], removed?: string[], time_ms?: number }): SignedWebhook {
  const events = [
    ...added.map((userId) => ({ name: 'member_added', channel, user_id: userId })),
    ...removed.map((userId) => ({ name: 'member_removed', channel, user_id: userId }))
  ]
  return signWebhook(credentials, timeMs === undefined ? { events } : { time_ms: timeMs, events })
}

/** A signed delivery of `cache_miss` for each channel, as Pusher sends it when a client subscribes to an empty cache channel. */
export function cacheMissWebhook (credentials: Credentials, channels: string | string[], { time_ms: timeMs }: { time_ms?: number } = {}): SignedWebhook {
  const events = (typeof channels === 'string' ? [channels] : channels).map((channel) => ({ name: 'cache_miss', channel }))
  return signWebhook(credentials, timeMs === undefined ? { events } : { time_ms: timeMs, events })
}
