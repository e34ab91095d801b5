import type { FastifyBaseLogger } from 'fastify'
import type { FastifyPusherOptions } from '../../types/index'
import { checkClient, createClient } from '../config/client'
import type Pusher = require('pusher')
import { resolveOptions, type ResolvedOptions } from '../config/options'
import type { TenantOptions } from '../config/tenant-options'
import { InvalidOptionError, UnknownAppError } from '../errors'
import { drainWithin } from '../send/drain-within'
import { createSender, type Sender } from '../send/sender'
import { TenantCache } from '../apps/tenant-cache'
import { tenantLookup } from '../apps/tenant-lookup'
import { createQueueing } from './queueing'

export interface WorkerLogger {
  debug: (object: object, message: string) => void
  info: (object: object, message: string) => void
  warn: (object: object, message: string) => void
  error: (object: object, message: string) => void
}

export interface StartWorkerOptions extends FastifyPusherOptions {
  /** Where the worker logs (pino or any logger with these methods). Default: warnings and errors as JSON lines on stderr. */
  logger?: WorkerLogger
}

export interface PusherWorker {
  /** Waits for the jobs in flight (bounded by closeTimeout), leaves the rest in Redis, and closes the worker's own connections. */
  close: () => Promise<void>
}

/** A level's lines as JSON on stderr, or (`shown` false) none. */
const line = (level: string, shown = true) => (object: object, message: string): void => {
  if (shown) process.stderr.write(`${JSON.stringify({ level, time: Date.now(), ...object, msg: message })}\n`)
}
const stderrLogger: WorkerLogger = { debug: line('debug', false), info: line('info', false), warn: line('warn'), error: line('error') }

/**
 * A worker of the durable queue in a process of its own, no Fastify needed: the same credentials
 * (options or PUSHER_* variables) and `queue` options as the plugin. Resolves once it has started.
 */
export async function startWorker (options: StartWorkerOptions): Promise<PusherWorker> {
  // A worker serves no route: tenants need no fromRequest here.
  const resolved = resolveOptions({ ...options, routeOptions: { auth: false, userAuth: false, webhooks: false } })
  if (resolved.queue === undefined) throw new InvalidOptionError('queue', 'startWorker needs it: { connection: an ioredis client, ... }')
  const log = (options.logger ?? stderrLogger) as unknown as FastifyBaseLogger
  const sending = resolved.tenants === undefined ? oneApp(resolved) : tenantsByAppId(resolved.tenants, resolved, log)
  const queueing = createQueueing({ queue: { ...resolved.queue, worker: true }, ...sending.route, ...resolved.send, timeout: sending.timeout, log })
  queueing.start()
  let closed: Promise<void> | undefined
  return {
    close: async () => {
      const cutOff = { abort: () => { sending.senders().forEach((sender) => { sender.abort() }) }, cutOff: () => sending.senders().reduce((sum, sender) => sum + sender.cutOff(), 0), drop: queueing.forceClose }
      closed ??= drainWithin(queueing.close(), resolved.closeTimeout, cutOff, log).then(() => { sending.senders().forEach((sender) => { sender.close() }) })
      await closed
    }
  }
}

/** One app's sender, from its credentials or a ready client. */
function oneApp (resolved: ResolvedOptions) {
  const client = resolved.client !== undefined ? checkClient(resolved.client) : createClient(resolved.clientConfig!)
  const timeout = resolved.clientConfig?.timeout ?? 0
  const sender = createSender(client, { timeout, agent: resolved.clientConfig?.agent, retries: resolved.retries, retryUnsafe: resolved.retryUnsafe })
  return { route: { client: sender.client }, timeout, senders: () => [sender] }
}

/** Tenants: a sender per app id of the jobs, its credentials looked up by it (`tenants.credentials({ appId })`) and cached. */
function tenantsByAppId (options: TenantOptions, resolved: ResolvedOptions, log: FastifyBaseLogger) {
  const held = new Set<Sender>()
  const cache = new TenantCache<Sender>({
    lookup: tenantLookup(options, resolved.handlerTimeout, log),
    open: (config) => {
      const sender = createSender(createClient(config), { timeout: options.timeout, retries: resolved.retries, retryUnsafe: resolved.retryUnsafe })
      held.add(sender)
      return sender
    },
    close: (sender) => {
      sender.idle().then(() => { sender.close(); held.delete(sender) }, () => {})
    },
    cacheMs: options.cacheMs,
    max: options.max
  })
  const clientFor = async (appId: string): Promise<Pusher> => {
    const sender = await cache.get({ appId })
    if (sender === undefined) throw new UnknownAppError(`no app is known by the job's app id ${JSON.stringify(appId)}`)
    return sender.client
  }
  return { route: { clientFor, refused: (appId: string) => { cache.stale(appId) } }, timeout: options.timeout, senders: () => [...held] }
}
