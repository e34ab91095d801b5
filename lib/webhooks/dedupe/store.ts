import type { MaybePromise } from '../../../types/index'

/** Where a piece of work of a delivery stands in the dedupe store. */
export type ClaimState = 'claimed' | 'running' | 'done'

/**
 * What webhook deduplication keeps its marks in. A key names one piece of work of a
 * delivery (an event's handlers, or a category handler). Two marks: `running` while a
 * request works on it (expires after `lockMs`, in case that request dies) and `done`
 * once its handlers succeeded (expires after `ttlMs`). Shared by every app instance
 * when the store is (e.g. `redisDedupeStore`).
 */
export interface WebhookDedupeStore {
  /**
   * For each key, atomically: when it holds no mark, marks it `running` for `lockMs`
   * and answers `'claimed'`; otherwise answers the mark it holds (`'running'` or `'done'`).
   */
  claim: (keys: string[], lockMs: number) => MaybePromise<ClaimState[]>
  /** Marks each key `done` for `ttlMs` (replacing its `running` mark). */
  done: (keys: string[], ttlMs: number) => MaybePromise<void>
  /** Removes the marks of keys this request claimed but did not finish. */
  release: (keys: string[]) => MaybePromise<void>
}
