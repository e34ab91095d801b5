import type { FastifyRequest } from 'fastify'
import type { MaybePromise } from '../../types/index'
import { isPromiseLike } from '../call-handler'
import type { Tracing } from './channels'

/** Sets a message's "set when done" fields from how the operation ended: `failure` when it failed. */
export type Settle<Message, Result> = (message: Message, failure: { error: unknown } | undefined, value: Result | undefined) => void

/**
 * Runs `run` as one operation of a tracing channel: `start` (with the channel's bound stores, so a
 * subscriber's context reaches what `run` starts), `end` when it returns, then `asyncStart` and
 * `asyncEnd` once it has completed, synchronously or not, with `error` first when it failed. `settle`
 * sets the message's result fields before those. Synchronous when `run` is. The caller checks
 * `isTraced` first: with no subscriber, no message is built and this is not called.
 */
export function traced<Message extends object, Result> (
  channel: Tracing<Message>,
  message: Message,
  run: () => MaybePromise<Result>,
  settle: Settle<Message, Result>
): MaybePromise<Result> {
  const completed = (failure: { error: unknown } | undefined, value: Result | undefined): void => {
    settle(message, failure, value)
    if (failure !== undefined) channel.error.publish(message)
    channel.asyncStart.publish(message)
    channel.asyncEnd.publish(message)
  }
  return channel.start.runStores(message, () => {
    let result: MaybePromise<Result>
    try {
      result = run()
    } catch (error) {
      channel.end.publish(message)
      completed({ error }, undefined)
      throw error
    }
    channel.end.publish(message)
    if (!isPromiseLike(result)) {
      completed(undefined, result)
      return result
    }
    return Promise.resolve(result).then((value) => {
      completed(undefined, value)
      return value
    }, (error: unknown) => {
      completed({ error }, undefined)
      throw error
    })
  })
}

const ERROR_CODE = /^[A-Za-z0-9_.-]{1,64}$/

/** The FST_PUSHER_* (or other) code of an error, for a message: never its text. */
export function errorCode (error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code
  return typeof code === 'string' && ERROR_CODE.test(code) ? code : 'ERROR'
}

/** The URL of the route a request is on, as declared: a route's own handler always has one. */
export const routeUrl = (request: FastifyRequest): string => request.routeOptions.url as string
