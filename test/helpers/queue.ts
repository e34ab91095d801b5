import type { Test } from 'tap'
import type { FastifyPusherOptions } from '../../index'
import { buildApp, captureLogs } from './app'
import { rawApi, type Handler } from './fake-api'
import { startRedis } from './redis'

/** Backoff short enough for tests: 10 to 40 ms. */
export const FAST = { backoff: { minMs: 10, maxMs: 40 } }

/** The events of every batch_events call the API got, by name. */
export const sentNames = (requests: string[]): string[] => requests.flatMap((body) => (JSON.parse(body).batch ?? []).map((event: { name: string }) => event.name))

/** A redis-server, a loopback API answering with `handler`, and a ready app with the queue on them (a worker in it unless `queue.worker` is false). */
export async function queueSetup (t: Test, handler: Handler, queue: object = {}, more: FastifyPusherOptions = {}) {
  const redis = await startRedis(t)
  const api = await rawApi(t, handler)
  const logs = captureLogs()
  const options = { appId: '4', key: 'k', secret: 's', host: '127.0.0.1', port: api.port, useTLS: false, retries: 0, timeout: 500, ...more }
  const app = await buildApp(t, { ...options, queue: { connection: redis.client(), ...FAST, ...queue } }, { logger: logs.logger })
  await app.ready()
  return { redis, api, app, logs, options }
}
