import type { FastifyPusherQueue } from '../../types/index'
import { QueueNotConfiguredError } from '../errors'

const refuse = async (): Promise<never> => { throw new QueueNotConfiguredError() }

/** `app.pusher.queue` without the `queue` option: every call rejects, saying what to set. */
export const queueNotConfigured: FastifyPusherQueue = {
  trigger: refuse,
  triggerBatch: refuse,
  sendToUser: refuse,
  counts: refuse,
  failed: refuse,
  retryFailed: refuse,
  pause: refuse,
  resume: refuse
}
