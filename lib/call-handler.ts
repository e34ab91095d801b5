import { HandlerFailedError, HandlerTimeoutError, PresenceStoreError, WebhookHandlerTimeoutError } from './errors'
import type { MaybePromise } from '../types/index'

export const isPromiseLike = (value: unknown): value is PromiseLike<unknown> =>
  value !== null && (typeof value === 'object' || typeof value === 'function') &&
  typeof (value as { then?: unknown }).then === 'function'

/**
 * `fn(value)` now when `value` is ready, or once it resolves. The routes stay
 * synchronous for handlers that answer synchronously: no promise, no extra tick.
 */
export function then<T, R> (value: MaybePromise<T>, fn: (value: T) => MaybePromise<R>): MaybePromise<R> {
  return isPromiseLike(value) ? Promise.resolve(value).then(fn) : fn(value)
}

/** An HTTP status a handler may answer with by throwing (e.g. `@fastify/sensible`'s httpErrors). */
export function clientErrorStatus (error: unknown): number | undefined {
  const status = (error as { statusCode?: unknown } | null)?.statusCode
  return typeof status === 'number' && status >= 400 && status <= 499 ? status : undefined
}

/**
 * A thrown 4xx error, a handler timeout or a failure of the presence store (whose handlers are the
 * plugin's own) passes through as is; anything else becomes FST_PUSHER_HANDLER_FAILED.
 */
export function handlerError (name: string, error: unknown): unknown {
  return clientErrorStatus(error) !== undefined || error instanceof HandlerTimeoutError || error instanceof WebhookHandlerTimeoutError ||
    error instanceof PresenceStoreError
    ? error
    : new HandlerFailedError(name, { cause: error })
}

/**
 * Calls a user handler (sync or async) with up to three arguments and returns what
 * it returns (a promise only if it returned one). A thrown 4xx error passes through
 * as is; anything else becomes FST_PUSHER_HANDLER_FAILED (500) with the original as
 * its `cause`: logged in full, never sent to the client. (Fixed parameters rather
 * than a rest parameter: no array per call on the auth hot path.)
 */
export function callHandler<A, B, C, Result> (
  name: string,
  handler: (a: A, b: B, c: C) => Result,
  a: A,
  b: B,
  c?: C
): Result {
  let result: Result
  try {
    result = handler(a, b, c as C)
  } catch (error) {
    throw handlerError(name, error)
  }
  if (!isPromiseLike(result)) return result
  return Promise.resolve(result).catch((error: unknown) => { throw handlerError(name, error) }) as Result
}
