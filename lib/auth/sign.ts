import type Pusher = require('pusher')
import type { ChannelAuthResponse, UserAuthResponse } from '../schemas/auth'
import type { UserData } from './user-data'
import { SigningFailedError } from '../errors'

// The official client's own signing functions: what its `authorizeChannel` and
// `authenticateUser` call once they have checked the socket id, channel name and user
// data. The routes have checked all of these already, so they call them directly
// (measured: the second check cost about 2% of a request).
const { getSocketSignature, getSocketSignatureForUser } = require('pusher/lib/auth') as {
  getSocketSignature: (pusher: Pusher, token: unknown, channel: string, socketId: string, data?: object) => ChannelAuthResponse
  getSocketSignatureForUser: (token: unknown, socketId: string, userData: UserData) => UserAuthResponse
}

const tokenOf = (client: Pusher): unknown => (client as unknown as { config: { token: unknown } }).config.token

/**
 * What the official client throws while signing (a member or user whose JSON
 * serialization throws: a `toJSON` that throws, a BigInt, a cycle) becomes
 * FST_PUSHER_SIGNING_FAILED: the answer carries the plugin's message only, the cause is logged.
 */
function signing<T> (what: string, sign: () => T): T {
  try {
    return sign()
  } catch (error) {
    throw new SigningFailedError(what, { cause: error })
  }
}

/** Signs a subscription with the official client, for a socket id and channel name already checked. */
export function signChannel (client: Pusher, socketId: string, channelName: string, member?: object): ChannelAuthResponse {
  return member === undefined
    ? getSocketSignature(client, tokenOf(client), channelName, socketId)
    : signing('the presence member', () => getSocketSignature(client, tokenOf(client), channelName, socketId, member))
}

/** Signs a user sign-in with the official client, for a socket id and user data already checked. */
export function signUser (client: Pusher, socketId: string, user: UserData): UserAuthResponse {
  return signing('the user', () => getSocketSignatureForUser(tokenOf(client), socketId, user))
}
