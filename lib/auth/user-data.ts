import { InvalidUserDataError } from '../errors'

/** Pusher's limits on user ids and watchlists. */
export const MAX_USER_ID_LENGTH = 128
export const MAX_WATCHLIST_LENGTH = 100

/** The user data signed for pusher-js `signin()`: Pusher's three fields, nothing else. */
export interface UserData {
  id: string
  user_info?: Record<string, unknown>
  watchlist?: string[]
}

/** A user id as Pusher takes it: a finite number becomes a string; undefined when it is not a valid id. */
export function userId (value: unknown): string | undefined {
  const id = typeof value === 'number' && Number.isFinite(value) ? String(value) : value
  return typeof id === 'string' && id !== '' && id.length <= MAX_USER_ID_LENGTH ? id : undefined
}

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value)

/**
 * What a userAuth handler returned -> the user data to sign. Anything that does not
 * fit Pusher's rules is a server bug: FST_PUSHER_INVALID_USER_DATA (500), nothing signed.
 */
export function checkUserData (user: unknown): UserData {
  if (!isPlainObject(user)) throw new InvalidUserDataError('it must return an object like { id, user_info?, watchlist? }')
  const id = userId(user.id)
  if (id === undefined) throw new InvalidUserDataError(`id must be a non-empty string (or a number) of at most ${MAX_USER_ID_LENGTH} characters`)
  const data: UserData = { id }
  if (user.user_info !== undefined) {
    if (!isPlainObject(user.user_info)) throw new InvalidUserDataError('user_info must be an object')
    data.user_info = user.user_info
  }
  if (user.watchlist !== undefined) {
    const list = user.watchlist
    const ids = Array.isArray(list) && list.length <= MAX_WATCHLIST_LENGTH ? list.map(userId) : undefined
    if (ids === undefined || ids.includes(undefined)) {
      throw new InvalidUserDataError(`watchlist must be a list of at most ${MAX_WATCHLIST_LENGTH} user ids`)
    }
    data.watchlist = ids as string[]
  }
  return data
}
