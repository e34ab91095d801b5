import type { Serialize } from '../../types/index'

const ENCRYPTED_PREFIX = 'private-encrypted-'

export const isEncryptedChannel = (channel: string): boolean => channel.startsWith(ENCRYPTED_PREFIX)

/**
 * What to hand the official client as event data so that subscribers receive
 * `serialize(data)`, encrypted channel or not.
 *
 * For plain channels the client sends a string as is. For an encrypted channel it
 * always JSON.stringify-s before encrypting, so giving it the serialized text would
 * encode twice; it gets the parsed text instead (or the text itself when that is
 * not JSON), which it turns back into the same JSON.
 */
export function eventData (serialize: Serialize, channels: string | string[], data: unknown): unknown {
  const text = serialize(data)
  const encrypted = typeof channels === 'string' ? isEncryptedChannel(channels) : channels.length === 1 && isEncryptedChannel(channels[0])
  if (!encrypted) return text
  try {
    return JSON.parse(text)
  } catch {
    return text
  }
}
