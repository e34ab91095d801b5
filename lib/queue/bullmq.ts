import { MissingDependencyError } from '../errors'

/** The parts of BullMQ the plugin uses. */
export type BullMQ = typeof import('bullmq')

/**
 * BullMQ, an optional peer dependency: loaded only when the `queue` option is set.
 * Missing, it is FST_PUSHER_MISSING_DEPENDENCY saying what to install.
 */
export function loadBullMQ (load: (name: string) => unknown = require): BullMQ {
  try {
    return load('bullmq') as BullMQ
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'MODULE_NOT_FOUND') throw new MissingDependencyError('queue', 'bullmq', 'bullmq')
    throw error
  }
}
