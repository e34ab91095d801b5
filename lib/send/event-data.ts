import type { Serialize } from '../../types/index'

const ENCRYPTED_PREFIX = 'private-encrypted-'

export const isEncryptedChannel = (channel: string): boolean => channel.startsWith(ENCRYPTED_PREFIX)

/**
 * What to hand the official client as event data so that subscribers receive
 * `text` (what `serialize` made of the data), encrypted channel or not.
 *
 * For plain channels the client sends a string as is. For an encrypted channel it
 * always JSON.stringify-s before encrypting, so giving it the serialized text would
 * encode twice; it gets the parsed text instead (or the text itself when that is
 * not JSON), which it turns back into the same JSON.
 */
export function clientData (text: string, encrypted: boolean): unknown {
  if (!encrypted) return text
  try {
    return JSON.parse(text)
  } catch {
    return text
  }
}

/** `serialize(data)`, which must be a string. */
export function serializeData (serialize: Serialize, data: unknown): string {
  const text = serialize(data)
  if (typeof text !== 'string') throw new TypeError(`serialize must return a string, got ${typeof text}`)
  return text
}
