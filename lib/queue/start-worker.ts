import type { FastifyBaseLogger } from 'fastify'
import type { FastifyPusherOptions } from '../../types/index'
import { checkClient, createClient } from '../config/client'
import { resolveOptions } from '../config/options'
import { InvalidOptionError } from '../errors'
import { drainWithin } from '../send/drain-within'
import { createSender } from '../send/sender'
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

const line = (level: string) => (object: object, message: string): void => { process.stderr.write(`${JSON.stringify({ level, time: Date.now(), ...object, msg: message })}\n`) }
const stderrLogger: WorkerLogger = { debug: () => {}, info: () => {}, warn: line('warn'), error: line('error') }

/**
 * A worker of the durable queue in a process of its own, no Fastify needed: the same credentials
 * (options or PUSHER_* variables) and `queue` options as the plugin. Resolves once it has started.
 */
export async function startWorker (options: StartWorkerOptions): Promise<PusherWorker> {
  const resolved = resolveOptions(options)
  if (resolved.queue === undefined) throw new InvalidOptionError('queue', 'startWorker needs it: { connection: an ioredis client, ... }')
  const client = resolved.client !== undefined ? checkClient(resolved.client) : createClient(resolved.clientConfig!)
  const timeout = resolved.clientConfig?.timeout ?? 0
  const sender = createSender(client, { timeout, agent: resolved.clientConfig?.agent, retries: resolved.retries, retryUnsafe: resolved.retryUnsafe })
  const log = (options.logger ?? stderrLogger) as unknown as FastifyBaseLogger
  let closing = false
  const queueing = createQueueing({ queue: { ...resolved.queue, worker: true }, client: sender.client, ...resolved.send, timeout, isClosing: () => closing, log })
  queueing.start()
  let closed: Promise<void> | undefined
  return {
    close: async () => {
      closing = true
      const cutOff = { abort: sender.abort, cutOff: sender.cutOff, drop: queueing.forceClose }
      closed ??= drainWithin(queueing.close(), resolved.closeTimeout, cutOff, log).then(() => { sender.close() })
      await closed
    }
  }
}
