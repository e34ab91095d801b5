import { ApiError } from '../errors'

/** What a failed call was about: the event and channel(s), or the API path. */
export interface CallContext {
  /** e.g. `trigger "order.shipped" on orders.7` */
  what: string
  event?: string
  channels?: string[]
}

/** The longest part of a server's message kept in an error. */
const MAX_MESSAGE = 500

/**
 * The server's message, with anything that could carry a signature or a query
 * string taken out (Pusher's 401 answers quote the string it expected to be signed).
 */
export function redact (message: string): string {
  return message
    .replace(/(auth_signature|auth_key|body_md5|auth_timestamp)=[^&\s"']*/gi, '$1=[redacted]')
    .replace(/\b[0-9a-f]{32,}\b/gi, '[redacted]')
    .slice(0, MAX_MESSAGE)
}

/**
 * An answer that says the call failed: a 4xx/5xx status, or (soketi 1.6.1) a 200
 * whose JSON body is `{ error, code }`. The error carries the status (from `code`
 * on a 200), the server's message (redacted) and what was sent; never the URL.
 */
export function apiFailure (status: number, text: string, parsed: unknown, callContext: () => CallContext): Error | undefined {
  const body = parsed !== null && typeof parsed === 'object' ? parsed as { error?: unknown, code?: unknown } : undefined
  const failed = status >= 400 || (body !== undefined && body.error !== undefined)
  if (!failed) return undefined
  const statusCode = status >= 400 ? status : typeof body?.code === 'number' && body.code >= 400 ? body.code : 500
  const serverMessage = redact(typeof body?.error === 'string' ? body.error : text)
  const context = callContext()
  const error = new ApiError(context.what, `${statusCode} ${serverMessage}`)
  return Object.assign(error, { statusCode, serverMessage, event: context.event, channels: context.channels })
}
