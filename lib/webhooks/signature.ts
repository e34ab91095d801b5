import { timingSafeEqual } from 'node:crypto'
import type { IncomingHttpHeaders } from 'node:http'
import type { SigningToken } from '../config/client'
import { WebhookKeyError, WebhookSignatureError } from '../errors'

/**
 * Pusher signs a webhook with X-Pusher-Key (the app key) and X-Pusher-Signature:
 * the hex HMAC-SHA256 of the exact body bytes under the app secret, computed here
 * by the official client's token and compared in constant time.
 */
export function verifyWebhookSignature (token: SigningToken, headers: IncomingHttpHeaders, rawBody: Buffer): void {
  if (headers['x-pusher-key'] !== token.key) throw new WebhookKeyError()
  const signature = headers['x-pusher-signature']
  if (typeof signature !== 'string') throw new WebhookSignatureError()
  const expected = Buffer.from(token.sign(rawBody))
  const given = Buffer.from(signature)
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw new WebhookSignatureError()
}
