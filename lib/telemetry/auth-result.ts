import type { PusherAuthMessage } from '../../types/telemetry'
import { clientErrorStatus } from '../call-handler'
import { HandlerTimeoutError } from '../errors'
import { errorCode } from './trace'

/** An authorization's result on its message: allowed, refused (a 4xx), timeout (a handler too slow), or error. */
export function settleAuth (message: PusherAuthMessage, failure: { error: unknown } | undefined): void {
  if (failure === undefined) {
    message.result = 'allowed'
    return
  }
  const { error } = failure
  message.result = error instanceof HandlerTimeoutError ? 'timeout' : clientErrorStatus(error) !== undefined ? 'refused' : 'error'
  message.errorCode = errorCode(error)
}
