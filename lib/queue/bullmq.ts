import { loadOptional } from '../optional-dependency'

/** The parts of BullMQ the plugin uses. */
export type BullMQ = typeof import('bullmq')

/** BullMQ, an optional peer dependency: loaded only when the `queue` option is set. */
export function loadBullMQ (load?: (name: string) => unknown): BullMQ {
  return loadOptional<BullMQ>('bullmq', 'The "queue" option', load)
}
