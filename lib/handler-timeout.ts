import { isPromiseLike } from './call-handler'

type ErrorClass = new (name: string, ms: number) => Error

/**
 * `handler`, bounded: when it returns a promise that has not settled within `ms`, the
 * call rejects with `TimeoutError` (naming the handler); what the handler settles with
 * later is ignored (and its late failure swallowed: no unhandled rejection). A handler
 * that answers synchronously is called as is, with no timer. `ms` 0: no bound.
 */
export function withTimeout<F extends (...args: any[]) => unknown> (handler: F, name: string, ms: number, TimeoutError: ErrorClass): F {
  if (ms === 0) return handler
  // Fixed parameters (every handler takes at most three): no array per call on the auth hot path.
  return function bounded (a: unknown, b: unknown, c: unknown): unknown {
    const result = handler(a, b, c)
    if (!isPromiseLike(result)) return result
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => { reject(new TimeoutError(name, ms)) }, ms)
      Promise.resolve(result).then((value) => {
        clearTimeout(timer)
        resolve(value)
      }, (error: unknown) => {
        clearTimeout(timer)
        reject(error)
      })
    })
  } as F
}
