import { request as httpRequest, type Agent, type IncomingMessage } from 'node:http'
import { request as httpsRequest } from 'node:https'
import type Pusher = require('pusher')
import { ApiNetworkError, ApiTimeoutError } from '../errors'
import { apiFailure, type CallContext } from './api-error'

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
}

/**
 * How a failed attempt may be retried: `safe` when the request never left (connection
 * refused, DNS failure, reset while connecting), `unsafe` when it may have been
 * delivered (timeout, reset after sending, a 5xx answer), `never` for a refusal (4xx).
 */
type Retry = 'safe' | 'unsafe' | 'never'

class AttemptError extends Error {
  constructor (readonly failure: Error, readonly retry: Retry) { super(failure.message) }
}

/**
 * Sends one API call, signed by the official client, and resolves to the parsed JSON
 * answer; rejects with FST_PUSHER_API_ERROR (refused, including a 200 with
 * `{ error }`), FST_PUSHER_API_TIMEOUT or FST_PUSHER_API_UNREACHABLE. No error
 * carries the URL or its signature.
 */
export async function apiRequest (client: Pusher, options: TransportOptions, call: ApiCall, context: () => CallContext): Promise<unknown> {
  const config = (client as unknown as { config: ClientConfig }).config
  const deadline = options.timeout > 0 ? Date.now() + options.timeout : Infinity
  for (let attempt = 0; ; attempt++) {
    try {
      return await attemptCall(config, options, call, context, deadline)
    } catch (error) {
      const { failure, retry } = error as AttemptError
      const retryable = retry === 'safe' || (retry === 'unsafe' && options.retryUnsafe)
      if (attempt >= options.retries || !retryable) throw failure
      // Exponential backoff, "equal jitter": 25-50 ms, then 50-100 ms, ... A retry that
      // could not start before the deadline is not made.
      const delay = 25 * 2 ** attempt * (1 + Math.random())
      if (Date.now() + delay >= deadline) throw failure
      await new Promise((resolve) => setTimeout(resolve, delay))
    }
  }
}

function attemptCall (config: ClientConfig, options: TransportOptions, call: ApiCall, context: () => CallContext, deadline: number): Promise<unknown> {
  const path = config.prefixPath(call.path)
  const body = call.body === undefined ? undefined : JSON.stringify(call.body)
  const query = createSignedQueryString(config.token, { method: call.method, path, params: call.params, body })
  const send = config.scheme === 'https' ? httpsRequest : httpRequest
  const headers = body === undefined ? {} : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) }

  return new Promise((resolve, reject) => {
    let sent = false
    let timer: NodeJS.Timeout | undefined
    const fail = (failure: Error, retry: Retry): void => {
      clearTimeout(timer)
      reject(new AttemptError(failure, retry))
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
      let text = ''
      res.setEncoding('utf8')
      res.on('data', (chunk: string) => { text += chunk })
      res.on('error', (error) => { fail(new ApiNetworkError(context().what, 'the answer was cut off', { cause: error }), 'unsafe') })
      res.on('end', () => {
        clearTimeout(timer)
        let parsed: unknown
        try { parsed = JSON.parse(text) } catch { parsed = undefined }
        const status = res.statusCode as number
        const failure = apiFailure(status, text, parsed, context)
        if (failure !== undefined) reject(new AttemptError(failure, status >= 500 ? 'unsafe' : 'never'))
        else resolve(parsed ?? {}) // an answer that is not JSON (e.g. empty) reads as {}
      })
    })
    req.end(body)
  })
}
