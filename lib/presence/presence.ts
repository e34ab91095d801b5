import type { FastifyBaseLogger } from 'fastify'
import type { FastifyPusherPresence, PresenceHandler } from '../../types/index'
import type { PresenceChange, PresenceOutcome } from '../../types/presence-store'
import type { PresenceOptions } from '../config/presence-options'
import { HandlerTimeoutError, InvalidHandlerError, InvalidPresenceQueryError, PresenceStoreError } from '../errors'
import { withTimeout } from '../handler-timeout'
import { CHANNEL_NAME_MAX_LENGTH } from '../schemas'
import { isChannelName } from '../send/checks'
import { userId as validUserId } from '../auth/user-data'

/** Whether `channel` is a presence channel's name (Pusher's characters, at most 164 of them). */
export const isPresenceChannel = (channel: unknown): channel is string =>
  isChannelName(channel) && channel.startsWith('presence-')

/** A presence channel's name, or FST_PUSHER_INVALID_PRESENCE_QUERY naming the method. */
export function presenceChannel (method: string, channel: unknown): string {
  if (isPresenceChannel(channel)) return channel
  throw new InvalidPresenceQueryError(method, `the channel must be a presence- channel name of at most ${CHANNEL_NAME_MAX_LENGTH} characters`)
}

function presenceUser (method: string, userId: unknown): string {
  const id = validUserId(userId)
  if (id === undefined) throw new InvalidPresenceQueryError(method, 'the user id must be a non-empty string (or a number) of at most 128 characters')
  return id
}

/** A store call; its failure (thrown or rejected) becomes FST_PUSHER_PRESENCE_STORE_FAILED (the cause kept). */
export async function storeCall<T> (call: () => T | PromiseLike<T>): Promise<T> {
  try {
    return await call()
  } catch (error) {
    throw new PresenceStoreError({ cause: error })
  }
}

export interface Presence {
  /** `app.pusher.presence` but `sync`. */
  queries: Omit<FastifyPusherPresence, 'sync'>
  /** Applies changes in order, tells the `online` / `offline` handlers, and answers each change's outcome. */
  apply: (changes: PresenceChange[], log: FastifyBaseLogger) => Promise<PresenceOutcome[]>
}

/**
 * The presence state on the server: queries of the store, and the changes applied to it (by the
 * webhooks and by `sync`). An `online` or `offline` handler is called by the instance whose store call
 * applied the change, after it, in order; it is awaited (a webhook is answered once they are done), and
 * its failure is logged: the change is applied, so a retry of the delivery would not call it again.
 */
export function createPresence ({ store, limits }: PresenceOptions, { handlerTimeout }: { handlerTimeout: number }): Presence {
  const handlers: Record<'online' | 'offline', PresenceHandler[]> = { online: [], offline: [] }
  // One warning per stretch of refusals: set when a member is refused, cleared when one is stored again.
  let full = false

  const tell = async (outcome: 'online' | 'offline', change: PresenceChange, log: FastifyBaseLogger): Promise<void> => {
    for (const handler of handlers[outcome]) {
      try {
        await handler({ userId: change.userId, channel: change.channel, timeMs: change.timeMs })
      } catch (error) {
        log.error({ err: error }, `fastify-pusher: a presence.on('${outcome}') handler failed`)
      }
    }
  }

  const apply = async (changes: PresenceChange[], log: FastifyBaseLogger): Promise<PresenceOutcome[]> => {
    const outcomes = await storeCall(() => store.apply(changes, limits))
    for (let i = 0; i < changes.length; i++) {
      const outcome = outcomes[i]
      if (outcome === 'full') {
        if (!full) {
          log.warn({ maxChannels: limits.maxChannels, maxMembersPerChannel: limits.maxMembersPerChannel },
            'fastify-pusher: the presence store is full: a member was not stored (see the presence limits)')
        }
        full = true
      } else if (outcome === 'online' || (outcome === 'changed' && changes[i].present)) {
        full = false
      }
      if (outcome === 'online' || outcome === 'offline') await tell(outcome, changes[i], log)
    }
    return outcomes
  }

  const queries: Presence['queries'] = {
    members: async (channel: string): Promise<string[]> => {
      const name = presenceChannel('members', channel)
      return await storeCall(() => store.members(name))
    },
    channelsOf: async (userId: string | number): Promise<string[]> => {
      const id = presenceUser('channelsOf', userId)
      return await storeCall(() => store.channelsOf(id))
    },
    isOnline: async (userId: string | number): Promise<boolean> => {
      const id = presenceUser('isOnline', userId)
      return (await storeCall(() => store.channelsOf(id))).length > 0
    },
    on: (event: 'online' | 'offline', handler: PresenceHandler): void => {
      if (event !== 'online' && event !== 'offline') {
        throw new InvalidPresenceQueryError('on', 'the event must be \'online\' or \'offline\'')
      }
      if (typeof handler !== 'function') throw new InvalidHandlerError(`presence.on('${event}')`, typeof handler)
      handlers[event].push(withTimeout(handler, `presence.on('${event}')`, handlerTimeout, HandlerTimeoutError))
    }
  }
  return { queries, apply }
}
