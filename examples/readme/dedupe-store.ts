// README "Exactly once": the store interface as the README shows it is the one exported.
// Type-checked by test/readme-samples.test.ts.
import type { MaybePromise, WebhookDedupeStore as Exported } from 'fastify-pusher'

// --- README sample ---
interface WebhookDedupeStore {
  // per unit, atomically: mark it running for lockMs if it holds no mark, and say what it held
  claim (delivery: string, units: string[], lockMs: number): MaybePromise<Array<'claimed' | 'running' | 'done'>>
  done (delivery: string, units: string[], ttlMs: number): MaybePromise<void>   // mark done for ttlMs
  release (delivery: string, units: string[]): MaybePromise<void>               // remove claims not finished
}
// --- end of README sample ---

type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false
export const sameAsExported: Same<WebhookDedupeStore, Exported> = true
