import { InvalidEventError } from '../errors'
import { CHANNEL_NAME_MAX_LENGTH, CHANNEL_NAME_PATTERN, SOCKET_ID_PATTERN } from '../schemas/auth'

const channelName = new RegExp(CHANNEL_NAME_PATTERN)
const socketIdPattern = new RegExp(SOCKET_ID_PATTERN)
export const MAX_EVENT_NAME_LENGTH = 200

/** What is checked of an event before anything is sent. */
export interface EventToCheck {
  channels: string[]
  event: string
  /** The serialized data. */
  text: string
  socketId?: unknown
}

/**
 * Pusher's limits, checked before sending: channel names (pattern, 164 characters),
 * the event name (200 characters), `socket_id`, and the data's size in bytes.
 * Throws FST_PUSHER_INVALID_EVENT naming the event, channel(s) and what is wrong.
 */
/** Whether `channel` is a channel name Pusher takes: 1 to 164 of A-Z a-z 0-9 _ - = @ , . ; */
export const isChannelName = (channel: unknown): channel is string =>
  typeof channel === 'string' && channel.length <= CHANNEL_NAME_MAX_LENGTH && channelName.test(channel)

export function checkEvent ({ channels, event, text, socketId }: EventToCheck, maxEventBytes: number): void {
  const where = channels.length === 1 ? String(channels[0]) : `${channels.length} channels`
  const fail = (why: string): never => { throw new InvalidEventError(String(event).slice(0, 64), where.slice(0, 200), why) }
  if (typeof event !== 'string' || event === '' || event.length > MAX_EVENT_NAME_LENGTH) {
    fail(`the event name must be a non-empty string of at most ${MAX_EVENT_NAME_LENGTH} characters`)
  }
  if (channels.length === 0) fail('no channel given')
  for (const channel of channels) {
    if (!isChannelName(channel)) {
      fail(`${JSON.stringify(String(channel).slice(0, 200))} is not a channel name (1 to ${CHANNEL_NAME_MAX_LENGTH} of A-Z a-z 0-9 _ - = @ , . ;)`)
    }
  }
  if (socketId !== undefined && (typeof socketId !== 'string' || !socketIdPattern.test(socketId))) {
    fail('socket_id must look like 1234.5678')
  }
  const bytes = Buffer.byteLength(text)
  if (bytes > maxEventBytes) fail(`its data is ${bytes} bytes, over the limit of ${maxEventBytes} (maxEventBytes)`)
}
