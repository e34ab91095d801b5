import type { FastifyRequest } from 'fastify'
import type { MaybePromise } from '../../types/index'
import { callHandler, handlerError, isPromiseLike } from '../call-handler'
import type { WireEvent } from './events'
import type { Delivery, Work } from './work'

/** Runs unit `u` of `work`: synchronously while its handlers answer synchronously. */
function runUnit (request: FastifyRequest, work: Work, u: number, delivery: Delivery): MaybePromise<unknown> {
  const categoryUnits = work.categoryUnits
  if (u < categoryUnits.length) {
    const { category, handler, payload } = categoryUnits[u]
    return callHandler(`${category.handler} webhook`, handler as (a: unknown, b: unknown) => unknown, request, payload)
  }
  const k = u - categoryUnits.length
  return runEach(work.lists[k], 0, request, delivery.events[work.eventIndexes[k]], delivery)
}

/** `webhooks.on('name')`, the name a failure is reported under. */
const onHandlerName = (event: string): string => `webhooks.on('${event.slice(0, 64)}')`

/**
 * Calls `list[from..]` one after the other: synchronously while they answer
 * synchronously. (Not callHandler: the name a failure is reported under is only made
 * when one fails.)
 */
function runEach (list: readonly Function[], from: number, request: FastifyRequest, event: WireEvent, delivery: Delivery): MaybePromise<unknown> {
  for (let i = from; i < list.length; i++) {
    let result: unknown
    try {
      result = (list[i] as (a: unknown, b: unknown, c: unknown) => unknown)(request, event, delivery)
    } catch (error) {
      throw handlerError(onHandlerName(event.name), error)
    }
    if (isPromiseLike(result)) {
      return Promise.resolve(result).then(() => runEach(list, i + 1, request, event, delivery), (error: unknown) => {
        throw handlerError(onHandlerName(event.name), error)
      })
    }
  }
  return undefined
}

export interface Outcome {
  /** The units that failed (empty when all succeeded). */
  failed: number[]
  /** The first failure; later ones are logged. */
  failure: { error: unknown } | undefined
}

/** Runs units `from..` of `work` one after the other, each to the end, failed or not: synchronously while the handlers are. */
export function runUnits (request: FastifyRequest, work: Work, delivery: Delivery, from = 0, outcome: Outcome = { failed: [], failure: undefined }): MaybePromise<Outcome> {
  const failed = (u: number, error: unknown): void => {
    outcome.failed.push(u)
    if (outcome.failure === undefined) outcome.failure = { error }
    else request.log.error({ err: error }, 'fastify-pusher: a webhook handler failed')
  }
  for (let u = from; u < work.ids.length; u++) {
    let result: unknown
    try {
      result = runUnit(request, work, u, delivery)
    } catch (error) {
      failed(u, error)
      continue
    }
    if (isPromiseLike(result)) {
      return Promise.resolve(result).then(undefined, (error: unknown) => { failed(u, error) })
        .then(() => runUnits(request, work, delivery, u + 1, outcome))
    }
  }
  return outcome
}
