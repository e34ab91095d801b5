import type { FastifyPusherOptions, Serialize } from '../../types/index'
import { InvalidOptionError } from '../errors'
import type { NotificationChannel } from '../send/notify'
import type { TriggerOptions } from '../send/triggers'

/** The options of the sending side (server -> Pusher), checked at register time. */
export interface SendOptions {
  retries: number
  retryUnsafe: boolean
  send: TriggerOptions
  notificationChannel: NotificationChannel
  /** ms close() waits for the calls under way before it cuts them off. */
  closeTimeout: number
}

export const DEFAULT_RETRIES = 2
export const DEFAULT_BATCH_SIZE = 10
export const DEFAULT_MAX_IN_FLIGHT = 16
export const DEFAULT_MAX_EVENT_BYTES = 10240
export const DEFAULT_CLOSE_TIMEOUT = 10_000

export function resolveCount (name: string, value: unknown, defaultValue: number, max: number): number {
  if (value === undefined) return defaultValue
  if (!Number.isSafeInteger(value) || (value as number) < 1 || (value as number) > max) {
    throw new InvalidOptionError(name, `must be a whole number from 1 to ${max}, got a ${typeof value}`)
  }
  return value as number
}

function resolveRetries (retries: unknown): number {
  if (retries === undefined) return DEFAULT_RETRIES
  if (!Number.isSafeInteger(retries) || (retries as number) < 0 || (retries as number) > 10) {
    throw new InvalidOptionError('retries', `must be a whole number from 0 to 10, got a ${typeof retries}`)
  }
  return retries as number
}

function resolveFlag (name: string, value: unknown, defaultValue: boolean): boolean {
  if (value === undefined) return defaultValue
  if (typeof value !== 'boolean') throw new InvalidOptionError(name, `must be true or false, got a ${typeof value}`)
  return value
}

function resolveSerialize (serialize: unknown): Serialize {
  if (serialize === undefined) return JSON.stringify
  if (typeof serialize !== 'function') {
    throw new InvalidOptionError('serialize', 'must be a function that turns event data into a string')
  }
  return serialize as Serialize
}

/** Laravel's default `receivesBroadcastNotificationsOn()` for an `App\Models\User`. */
export const DEFAULT_NOTIFICATION_CHANNEL = 'App.Models.User.{userId}'

/**
 * `notificationChannel`: the channel of a user's notifications without its `private-` prefix, as a
 * template with `{userId}` or a function of the user id (Laravel's `receivesBroadcastNotificationsOn`).
 */
function resolveNotificationChannel (value: unknown): NotificationChannel {
  if (typeof value === 'function') return value as NotificationChannel
  if (typeof value !== 'string' || !value.includes('{userId}') || /^(private|presence)-/.test(value)) {
    throw new InvalidOptionError('notificationChannel', 'must be a function of the user id, or a channel name with {userId} and without its private- prefix, e.g. \'App.Models.User.{userId}\'')
  }
  const [before, after] = value.split('{userId}', 2)
  return (userId) => before + userId + after
}

/** The sending options, each checked; the messages name the option and never echo a value. */
export function resolveSendOptions (options: FastifyPusherOptions): SendOptions {
  return {
    retries: resolveRetries(options.retries),
    retryUnsafe: resolveFlag('retryUnsafe', options.retryUnsafe, false),
    closeTimeout: resolveCount('closeTimeout', options.closeTimeout, DEFAULT_CLOSE_TIMEOUT, 2 ** 31 - 1),
    notificationChannel: resolveNotificationChannel(options.notificationChannel === undefined ? DEFAULT_NOTIFICATION_CHANNEL : options.notificationChannel),
    send: {
      serialize: resolveSerialize(options.serialize),
      batching: resolveFlag('batching', options.batching, true),
      batchSize: resolveCount('batchSize', options.batchSize, DEFAULT_BATCH_SIZE, 100),
      maxInFlight: resolveCount('maxInFlight', options.maxInFlight, DEFAULT_MAX_IN_FLIGHT, 1024),
      maxEventBytes: resolveCount('maxEventBytes', options.maxEventBytes, DEFAULT_MAX_EVENT_BYTES, 2 ** 30)
    }
  }
}
