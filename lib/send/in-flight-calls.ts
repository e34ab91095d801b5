import { ClosedError } from '../errors'

/**
 * The API calls under way (sending, or waiting to retry), so that `close()` can cut them off once
 * `closeTimeout` has passed, whatever `timeout` is: each one's abort ends it with FST_PUSHER_CLOSED,
 * and so does every call made after.
 */
export class InFlightCalls {
  private readonly aborts = new Set<() => void>()
  private aborted = false
  private idleWaiters: Array<() => void> = []
  /** Calls ended by `abortAll`, and calls refused after it. */
  cutOff = 0

  /** Registers a call's abort, to be undone by the returned function when the call settles. Throws FST_PUSHER_CLOSED once aborted. */
  enter (abort: () => void): () => void {
    if (this.aborted) {
      this.cutOff++
      throw new ClosedError()
    }
    this.aborts.add(abort)
    return () => {
      this.aborts.delete(abort)
      if (this.aborts.size === 0 && this.idleWaiters.length > 0) this.wake()
    }
  }

  /** Resolves once no call is under way. */
  async idle (): Promise<void> {
    if (this.aborts.size === 0) return
    await new Promise<void>((resolve) => { this.idleWaiters.push(resolve) })
  }

  private wake (): void {
    const waiters = this.idleWaiters
    this.idleWaiters = []
    for (const resolve of waiters) resolve()
  }

  /** Ends every call under way and refuses every later one. */
  abortAll (): void {
    this.aborted = true
    this.cutOff += this.aborts.size
    for (const abort of this.aborts) abort()
    this.aborts.clear()
    this.wake()
  }
}
