import type { RedisClient } from '../config/queue-options'

export interface OwnConnections {
  /** A connection of the plugin's own, from the app's (which is never closed), with the app's options. */
  duplicate: (connection: RedisClient, options: object) => RedisClient
  /** Past closeTimeout: every connection made here, and every duplicate of one (BullMQ's), ends. */
  drop: () => void
}

/**
 * The plugin's Redis connections, made so that closing one always ends it, Redis up or down.
 * `disconnect()` in ioredis 5 and 6, on a connection that is waiting to reconnect, clears the timer
 * but never ends it: no 'end', its commands never answered, so BullMQ's close (which awaits 'end')
 * would wait forever and its timers keep the process alive. Such a one is connected again at once,
 * closed by hand, so that the attempt ends it (Redis down) or it is disconnected once connected
 * (Redis back). BullMQ's own duplicates (its blocking connection) are made the same way. Their errors
 * reach the queue's and the worker's 'error' events, logged there; a listener here keeps ioredis from
 * printing them a second time.
 */
export function ownConnections (): OwnConnections {
  const made: RedisClient[] = []

  function make (duplicateOf: (options: object) => RedisClient, options: object): RedisClient {
    const client = duplicateOf(options)
    client.on('error', () => {})
    const disconnect = client.disconnect.bind(client)
    client.disconnect = (reconnect?: boolean) => {
      if (reconnect === true) return disconnect(true)
      if (client.status !== 'reconnecting') return disconnect()
      disconnect()
      client.connect().then(() => { disconnect() }, () => {})
    }
    const duplicate = client.duplicate.bind(client)
    client.duplicate = (more?: object) => make(duplicate, more ?? {})
    made.push(client)
    return client
  }

  return {
    duplicate: (connection, options) => make(connection.duplicate.bind(connection), options),
    drop: () => { for (const client of made) if (client.status !== 'end') client.disconnect() }
  }
}
