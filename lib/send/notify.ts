import { randomUUID } from 'node:crypto'
import type Pusher = require('pusher')
import type { TriggerResponse } from '../../types/index'
import { InvalidEventError } from '../errors'

/** The event Laravel broadcasts a notification under, which Laravel Echo's `.notification(callback)` listens for. */
export const NOTIFICATION_EVENT = 'Illuminate\\Notifications\\Events\\BroadcastNotificationCreated'

type Trigger = (channel: string, event: string, data: unknown, params?: Pusher.TriggerParams) => Promise<TriggerResponse>

/** The channel of a user's notifications, without `private-`: `App.Models.User.7` by default. */
export type NotificationChannel = (userId: string) => string

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value)

/**
 * `notify(userId, type, data)`: a broadcast notification, sent as Laravel sends one
 * (`BroadcastNotificationCreated`): on the private channel `notificationChannel` names for the
 * user, under Laravel's event name, with the data plus `id` (a new UUID) and `type`, which win
 * over fields of the same names as in Laravel. Checked, serialized and batched like any trigger.
 */
export function createNotify (trigger: Trigger, channelOf: NotificationChannel) {
  return async (userId: string | number, type: string, data: Record<string, unknown>, params?: Pusher.TriggerParams): Promise<{ id: string }> => {
    const fail = (why: string): never => { throw new InvalidEventError(String(type).slice(0, 64), 'a user\'s notification channel', why) }
    if (typeof type !== 'string' || type === '') fail('the notification type must be a non-empty string')
    if (!isPlainObject(data)) fail('the notification data must be an object (Laravel\'s toBroadcast() array)')
    if (!((typeof userId === 'string' && userId !== '') || Number.isSafeInteger(userId))) fail('the user id must be a non-empty string or a whole number')
    const channel = channelOf(String(userId))
    if (typeof channel !== 'string') fail('notificationChannel must return a string')
    const id = randomUUID()
    await trigger(`private-${channel}`, NOTIFICATION_EVENT, { ...data, id, type }, params)
    return { id }
  }
}
