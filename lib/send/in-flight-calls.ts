import { ClosedError } from '../errors'

/**
 * The API calls under way (sending, or waiting to retry), so that `close()` can cut them off once
 * `closeTimeout` has passed, whatever `timeout` is: each one's abort ends it with FST_PUSHER_CLOSED,
 * and so does every call made after.
 */
export class InFlightCalls {
  private readonly aborts = new Set<() => void>()
  private aborted = false
  /** Calls ended by `abortAll`, and calls refused after it. */
  cutOff = 0

  /** Registers a call's abort, to be undone by the returned function when the call settles. Throws FST_PUSHER_CLOSED once aborted. */
  enter (abort: () => void): () => void {
    if (this.aborted) {
      this.cutOff++
      throw new ClosedError()
    }
    this.aborts.add(abort)
    return () => { this.aborts.delete(abort) }
  }

  /** Ends every call under way and refuses every later one. */
  abortAll (): void {
    this.aborted = true
    this.cutOff += this.aborts.size
    for (const abort of this.aborts) abort()
    this.aborts.clear()
  }
}
