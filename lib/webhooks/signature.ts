import { timingSafeEqual } from 'node:crypto'
import type { IncomingHttpHeaders } from 'node:http'
import type { SigningToken } from '../config/client'
import { WebhookKeyError, WebhookSignatureError } from '../errors'

/** The signing tokens a webhook may be signed with, by app key (one key may have several secrets while they rotate). */
export type WebhookTokens = ReadonlyMap<string, readonly SigningToken[]>

/** How an app's webhooks are checked and marked: its tokens, and the prefix of its delivery ids in the dedupe store. */
export interface WebhookSigner {
  tokens: WebhookTokens
  deliveryPrefix: string
}

export function webhookTokens (tokens: SigningToken[]): WebhookTokens {
  const byKey = new Map<string, SigningToken[]>()
  for (const token of tokens) byKey.set(token.key, [...(byKey.get(token.key) ?? []), token])
  return byKey
}

/**
 * Pusher signs a webhook with X-Pusher-Key (the app key) and X-Pusher-Signature:
 * the hex HMAC-SHA256 of the exact body bytes under that key's secret, computed here
 * by the official client's token and compared in constant time. The key chooses the
 * secret(s) to try: the app's own, or a pair from `webhookKeys`.
 */
export function verifyWebhookSignature (tokens: WebhookTokens, headers: IncomingHttpHeaders, rawBody: Buffer): void {
  const key = headers['x-pusher-key']
  const candidates = typeof key === 'string' ? tokens.get(key) : undefined
  if (candidates === undefined) throw new WebhookKeyError()
  const signature = headers['x-pusher-signature']
  if (typeof signature !== 'string') throw new WebhookSignatureError()
  const given = Buffer.from(signature)
  let valid = false
  for (const token of candidates) {
    const expected = Buffer.from(token.sign(rawBody))
    // Every candidate is compared (no early exit): the time taken does not tell which secret matched.
    if (given.length === expected.length && timingSafeEqual(given, expected)) valid = true
  }
  if (!valid) throw new WebhookSignatureError()
}
