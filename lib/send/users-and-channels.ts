import type Pusher = require('pusher')
import type { ChannelAttributes, Serialize } from '../../types/index'
import { ClosedError, InvalidEventError } from '../errors'
import { checkEvent } from './checks'
import { serializeData } from './event-data'
import { userId as validUserId } from '../auth/user-data'

export interface PresenceUser { id: string }

/** A user id the API can take in a path: Pusher's 128 characters, nothing that ends or escapes a path. */
export function checkUserId (userId: unknown, what: string): string {
  const id = validUserId(userId)
  if (id === undefined || /[\s/?#%\\]/.test(id)) {
    throw new InvalidEventError(what, 'a user', 'the user id must be a non-empty string of at most 128 characters, without spaces, /, ?, #, % or \\')
  }
  return id
}

/**
 * The rest of the server API, through the same sender as triggers (checked first,
 * typed errors, timeout, retries): user events and connections, channel queries
 * that resolve to the parsed, typed answer.
 */
export function createServerApi (client: Pusher, options: { serialize: Serialize, maxEventBytes: number, isClosing: () => boolean }) {
  const open = (): void => { if (options.isClosing()) throw new ClosedError() }
  return {
    sendToUser: async (userId: string | number, event: string, data: unknown): Promise<Record<string, never>> => {
      open()
      const id = checkUserId(userId, String(event).slice(0, 64))
      const text = serializeData(options.serialize, data)
      checkEvent({ channels: ['user'], event, text }, options.maxEventBytes)
      await client.sendToUser(id, event, text)
      return {}
    },
    terminateUserConnections: async (userId: string | number): Promise<Record<string, never>> => {
      open()
      await client.terminateUserConnections(checkUserId(userId, 'terminate_connections'))
      return {}
    },
    channelInfo: async (name: string, { info }: { info?: string } = {}): Promise<{ occupied: boolean } & ChannelAttributes> => {
      checkEvent({ channels: [name], event: 'channel query', text: '' }, 0)
      return await client.get({ path: `/channels/${name}`, params: info === undefined ? {} : { info } }) as unknown as { occupied: boolean } & ChannelAttributes
    },
    channelsInfo: async ({ prefix, info }: { prefix?: string, info?: string } = {}): Promise<Record<string, ChannelAttributes>> => {
      const params: Record<string, string> = {}
      if (prefix !== undefined) params.filter_by_prefix = prefix
      if (info !== undefined) params.info = info
      const answer = await client.get({ path: '/channels', params }) as unknown as { channels?: Record<string, ChannelAttributes> }
      return answer.channels ?? {}
    },
    presenceUsers: async (name: string): Promise<PresenceUser[]> => {
      checkEvent({ channels: [name], event: 'presence query', text: '' }, 0)
      const answer = await client.get({ path: `/channels/${name}/users` }) as unknown as { users?: PresenceUser[] }
      return answer.users ?? []
    }
  }
}
