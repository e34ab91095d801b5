import { HandlerFailedError } from './errors'

/** An HTTP status a handler may answer with by throwing (e.g. `@fastify/sensible`'s httpErrors). */
export function clientErrorStatus (error: unknown): number | undefined {
  const status = (error as { statusCode?: unknown } | null)?.statusCode
  return typeof status === 'number' && status >= 400 && status <= 499 ? status : undefined
}

/**
 * Calls a user handler (sync or async). A thrown 4xx error passes through as is;
 * anything else becomes FST_PUSHER_HANDLER_FAILED (500) with the original as its
 * `cause`: logged in full, never sent to the client.
 */
export async function callHandler<Args extends unknown[], Result> (
  name: string,
  handler: (...args: Args) => Result | Promise<Result>,
  ...args: Args
): Promise<Result> {
  try {
    return await handler(...args)
  } catch (error) {
    if (clientErrorStatus(error) !== undefined) throw error
    throw new HandlerFailedError(name, { cause: error })
  }
}
