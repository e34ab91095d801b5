import { request as httpRequest, type Agent, type IncomingMessage } from 'node:http'
import { request as httpsRequest } from 'node:https'
import type Pusher = require('pusher')
import { ApiError, ApiNetworkError, ApiTimeoutError, ClosedError } from '../errors'
import { apiFailure, type CallContext } from './api-error'
import type { InFlightCalls } from './in-flight-calls'
import { retryAfterMs } from './retry-after'
import { apiChannel, isTraced } from '../telemetry/channels'
import { apiMessage } from '../telemetry/messages'
import { errorCode, traced } from '../telemetry/trace'
import type { PusherApiMessage } from '../../types/telemetry'

// The official client signs: its own query-string signer, with its token and config.
const { createSignedQueryString } = require('pusher/lib/requests') as {
  createSignedQueryString: (token: unknown, request: { method: string, path: string, params?: object, body?: string }) => string
}

interface ClientConfig {
  token: unknown
  scheme: string
  host: string
  port?: number
  prefixPath: (path: string) => string
}

export interface ApiCall {
  method: 'GET' | 'POST'
  /** Under /apps/{appId}, e.g. `/events` */
  path: string
  params?: object
  /** POST only. */
  body?: object
}

export interface TransportOptions {
  agent: Agent
  /** ms for the whole call (every attempt, headers and body); 0 for none. */
  timeout: number
  /** Attempts after the first, for failures before the request was sent. */
  retries: number
  /** Also retry timeouts, resets after sending and 5xx answers (a trigger may then be delivered twice). */
  retryUnsafe: boolean
  /** Where each call registers, so that close() can cut it off. */
  calls: InFlightCalls
}

/**
 * How a failed attempt may be retried: `safe` when the request never left (connection
 * refused, DNS failure, reset while connecting) or was not processed (429, rate limited),
 * `unsafe` when it may have been delivered (timeout, reset after sending, a 5xx answer),
 * `never` for a refusal (other 4xx) or a call cut off by close().
 */
type Retry = 'safe' | 'unsafe' | 'never'

class AttemptError extends Error {
  /** `waitMs`: the server's Retry-After, when it gave one. */
  constructor (readonly failure: Error, readonly retry: Retry, readonly waitMs?: number) { super(failure.message) }
}

/** Waits `ms`, or less when close() cuts the call off: resolves to whether it did. */
async function pause (ms: number, calls: InFlightCalls): Promise<boolean> {
  return await new Promise<boolean>((resolve) => {
    // Entered first: once close() has cut calls off, enter() throws and no timer is left behind.
    const leave = calls.enter(() => { clearTimeout(timer); resolve(true) })
    const timer = setTimeout(() => { leave(); resolve(false) }, ms)
  })
}

/**
 * Sends one API call, signed by the official client, and resolves to the parsed JSON
 * answer; rejects with FST_PUSHER_API_ERROR (refused, including a 200 with
 * `{ error }`), FST_PUSHER_API_TIMEOUT, FST_PUSHER_API_UNREACHABLE, or FST_PUSHER_CLOSED
 * when close() cut it off. No error carries the URL or its signature. A 429 is retried
 * as a safe failure, after its Retry-After when the server gives one.
 */
export async function apiRequest (client: Pusher, options: TransportOptions, call: ApiCall, context: () => CallContext): Promise<unknown> {
  const config = (client as unknown as { config: ClientConfig }).config
  const deadline = options.timeout > 0 ? Date.now() + options.timeout : Infinity
  const body = call.body === undefined ? undefined : JSON.stringify(call.body)
  let last: AttemptError
  for (let attempt = 0; ; attempt++) {
    try {
      if (!isTraced(apiChannel)) return await attemptCall(config, options, call, body, context, deadline)
      const message = apiMessage(call.method, call.path, call.body, body === undefined ? 0 : Buffer.byteLength(body), attempt + 1)
      return await traced(apiChannel, message, async () => await attemptCall(config, options, call, body, context, deadline, message), settleApi)
    } catch (error) {
      last = error as AttemptError
    }
    const retryable = last.retry === 'safe' || (last.retry === 'unsafe' && options.retryUnsafe)
    if (attempt >= options.retries || !retryable) break
    // The server's Retry-After, or exponential backoff with "equal jitter": 25-50 ms, then
    // 50-100 ms, ... A retry that could not start before the deadline is not made.
    const delay = last.waitMs ?? 25 * 2 ** attempt * (1 + Math.random())
    if (Date.now() + delay >= deadline) break
    if (await pause(delay, options.calls)) throw new ClosedError()
  }
  // A 429's Retry-After, for whoever retries later (the durable queue's worker).
  if (last.waitMs !== undefined) Object.assign(last.failure, { retryAfterMs: last.waitMs })
  throw last.failure
}

/** An attempt's failure, on its message: its code and, for a refusal, the status it carries (soketi's `code` on a 200). */
function settleApi (message: PusherApiMessage, failure: { error: unknown } | undefined): void {
  if (failure === undefined) return
  const { failure: error } = failure.error as AttemptError
  // A refusal's status is the one it carries; a timeout or a cut-off answer after the headers has none.
  if (error instanceof ApiError) message.status = (error as Error & { statusCode: number }).statusCode
  else delete message.status
  message.errorCode = errorCode(error)
}

/** One attempt; `message` (when traced) gets the answer's status. */
function attemptCall (
  config: ClientConfig, options: TransportOptions, call: ApiCall, body: string | undefined, context: () => CallContext, deadline: number, message?: PusherApiMessage
): Promise<unknown> {
  const path = config.prefixPath(call.path)
  const query = createSignedQueryString(config.token, { method: call.method, path, params: call.params, body })
  const send = config.scheme === 'https' ? httpsRequest : httpRequest
  const headers = body === undefined ? {} : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) }

  return new Promise((resolve, reject) => {
    let sent = false
    let timer: NodeJS.Timeout | undefined
    let leave: () => void
    try {
      // close() past closeTimeout: the request is destroyed and the call rejects with FST_PUSHER_CLOSED.
      leave = options.calls.enter(() => {
        req.destroy()
        fail(new ClosedError(), 'never')
      })
    } catch (closed) {
      reject(new AttemptError(closed as Error, 'never'))
      return
    }
    const fail = (failure: Error, retry: Retry, waitMs?: number): void => {
      clearTimeout(timer)
      leave()
      reject(new AttemptError(failure, retry, waitMs))
    }
    const req = send({ host: config.host, port: config.port, path: `${path}?${query}`, method: call.method, agent: options.agent, headers })
    if (deadline !== Infinity) {
      timer = setTimeout(() => {
        req.destroy()
        fail(new ApiTimeoutError(context().what, options.timeout), 'unsafe')
      }, Math.max(0, deadline - Date.now()))
    }
    // 'finish': the whole request was handed to the connection; before it, nothing was sent.
    req.on('finish', () => { sent = true })
    req.on('error', (error: NodeJS.ErrnoException) => {
      fail(new ApiNetworkError(context().what, error.message, { cause: error }), sent ? 'unsafe' : 'safe')
    })
    req.on('response', (res: IncomingMessage) => {
      if (message !== undefined) message.status = res.statusCode
      let text = ''
      res.setEncoding('utf8')
      res.on('data', (chunk: string) => { text += chunk })
      res.on('error', (error) => { fail(new ApiNetworkError(context().what, 'the answer was cut off', { cause: error }), 'unsafe') })
      res.on('end', () => {
        let parsed: unknown
        try { parsed = JSON.parse(text) } catch { parsed = undefined }
        const failure = apiFailure(res.statusCode as number, text, parsed, context)
        if (failure === undefined) {
          clearTimeout(timer)
          leave()
          resolve(parsed ?? {}) // an answer that is not JSON (e.g. empty) reads as {}
          return
        }
        // The status the error carries: soketi answers a refusal with a 200 and its `code`.
        const status = (failure as Error & { statusCode: number }).statusCode
        if (status === 429) fail(failure, 'safe', retryAfterMs(res.headers['retry-after']))
        else fail(failure, status >= 500 ? 'unsafe' : 'never')
      })
    })
    req.end(body)
  })
}
