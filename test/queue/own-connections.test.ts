// The plugin's own Redis connections (lib/queue/own-connections.ts), with ioredis and a real
// redis-server: closing one always ends it, Redis up or down, and once dropped none reconnects.
// (Without the plugin's disconnect, the second test waits for an 'end' that never comes.)
import { once } from 'node:events'
import Redis from 'ioredis'
import t from 'tap'
import type { RedisClient } from '../../lib/config/queue-options'
import { ownConnections } from '../../lib/queue/own-connections'
import { startRedis } from '../helpers/redis'
import { until } from '../helpers/until'

const statusOf = (client: RedisClient): string => client.status as string

t.test('a duplicate keeps the app\'s retry strategy until closed, and the app\'s connection is left alone', async (t) => {
  const redis = await startRedis(t)
  const tries: number[] = []
  const app = new Redis({ host: '127.0.0.1', port: redis.port, retryStrategy: (times) => { tries.push(times); return 10 } })
  app.on('error', () => {})
  t.teardown(() => { app.disconnect() })
  const { duplicate, drop } = ownConnections()
  const own = duplicate(app as unknown as RedisClient, { enableOfflineQueue: false })
  await until(() => statusOf(own) === 'ready', 'ready')
  await redis.stop()
  await until(() => tries.length >= 2, 'the app\'s strategy is asked')
  drop()
  await until(() => statusOf(own) === 'end', 'ended once dropped, Redis down')
  t.equal(statusOf(own), 'end')
  t.not(app.status, 'end', 'the app\'s connection is the app\'s')
})

t.test('disconnect() while waiting to reconnect ends the connection (ioredis alone would leave it waiting, its commands unanswered)', async (t) => {
  const redis = await startRedis(t)
  const app = new Redis({ host: '127.0.0.1', port: redis.port, lazyConnect: true })
  const { duplicate } = ownConnections()
  const own = duplicate(app as unknown as RedisClient, { lazyConnect: false })
  await until(() => statusOf(own) === 'ready', 'ready')
  await redis.stop()
  await until(() => statusOf(own) === 'reconnecting', 'reconnecting')
  const pending = (own as unknown as Redis).get('k').then(() => 'answered', (error: Error) => error.message)
  const ended = once(own as unknown as Redis, 'end')
  own.disconnect()
  await ended
  t.equal(statusOf(own), 'end')
  t.match(await pending, /closed|Connection/, 'what waited on it failed')
})

t.test('disconnect() while waiting to reconnect, Redis back: connected, then closed', async (t) => {
  const redis = await startRedis(t)
  const { duplicate } = ownConnections()
  const app = new Redis({ host: '127.0.0.1', port: redis.port, lazyConnect: true })
  const own = duplicate(app as unknown as RedisClient, { lazyConnect: false })
  await until(() => statusOf(own) === 'ready', 'ready')
  await redis.stop()
  await until(() => statusOf(own) === 'reconnecting', 'reconnecting')
  await startRedis(t, { port: redis.port })
  own.disconnect()
  await until(() => statusOf(own) === 'end', 'ended')
  t.equal(statusOf(own), 'end')
})

t.test('disconnect(true) reconnects; a duplicate of a duplicate (BullMQ\'s) is made the same way and dropped too', async (t) => {
  const redis = await startRedis(t)
  const app = new Redis({ host: '127.0.0.1', port: redis.port, lazyConnect: true })
  const { duplicate, drop } = ownConnections()
  const own = duplicate(app as unknown as RedisClient, { lazyConnect: false })
  await until(() => statusOf(own) === 'ready', 'ready')
  own.disconnect(true)
  await until(() => statusOf(own) !== 'ready', 'disconnected')
  await until(() => statusOf(own) === 'ready', 'ready again')
  const second = own.duplicate()
  const third = second.duplicate({ connectionName: 'blocking' })
  await until(() => statusOf(third) === 'ready', 'the duplicate of the duplicate is ready')
  second.disconnect()
  await until(() => statusOf(second) === 'end', 'second ended')
  drop()
  await until(() => statusOf(own) === 'end' && statusOf(third) === 'end', 'all ended')
  t.same([own, second, third].map(statusOf), ['end', 'end', 'end'])
})

t.test('an app\'s connection that does not reconnect (retryStrategy null): neither do the plugin\'s', async (t) => {
  const redis = await startRedis(t)
  const app = new Redis({ host: '127.0.0.1', port: redis.port, lazyConnect: true, retryStrategy: null as never })
  const { duplicate } = ownConnections()
  const own = duplicate(app as unknown as RedisClient, { lazyConnect: false })
  own.on('error', () => {})
  await until(() => statusOf(own) === 'ready', 'ready')
  await redis.stop()
  await until(() => statusOf(own) === 'end', 'ended at once')
  t.equal(statusOf(own), 'end')
})
