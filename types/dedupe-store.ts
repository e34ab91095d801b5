import type { MaybePromise } from './maybe-promise'

// The dedupe store's public types, in one place (types/index.ts re-exports them; lib imports them from here).

/** Where a piece of work of a delivery stands in the dedupe store. */
export type ClaimState = 'claimed' | 'running' | 'done'

/**
 * What webhook deduplication keeps its marks in. A delivery is named by the SHA-256 of
 * its raw body; each of its units by an id unique within it (an event's index for its
 * `on` handlers, a category's path for its category handler). Two marks per unit:
 * `running` while a request works on it (expires after `lockMs`, in case that request
 * dies) and `done` once its handlers succeeded (expires after `ttlMs`). Shared by every
 * app instance when the store is (e.g. `redisDedupeStore`).
 */
export interface WebhookDedupeStore {
  /**
   * For each unit, atomically: when it holds no mark, marks it `running` for `lockMs`
   * and answers `'claimed'`; otherwise answers the mark it holds (`'running'` or `'done'`).
   */
  claim: (delivery: string, units: string[], lockMs: number) => MaybePromise<ClaimState[]>
  /** Marks each unit `done` for `ttlMs` (replacing its `running` mark). */
  done: (delivery: string, units: string[], ttlMs: number) => MaybePromise<void>
  /** Removes the marks of units this request claimed but did not finish. */
  release: (delivery: string, units: string[]) => MaybePromise<void>
}
