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
