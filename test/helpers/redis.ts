import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { join } from 'node:path'
import type { Test } from 'tap'
import Redis from 'ioredis'
import { freePort } from './soketi'

export interface RedisServer {
  port: number
  /** A new ioredis client of this server, closed when the test ends. */
  client: () => Redis
  stop: () => Promise<void>
}

/**
 * Starts Debian's redis-server on 127.0.0.1 on a free port, persistence off, under the
 * watchdog (it ends the server if this process dies); stopped by pid when the test ends.
 * No redis-server is a failure, not a skip: `.ci/run` installs it.
 * `port` starts it there (again); `aofDir` turns the append-only file on (fsync always) in that folder.
 */
export async function startRedis (t: Test, { port: given, aofDir }: { port?: number, aofDir?: string } = {}): Promise<RedisServer> {
  const port = given ?? await freePort()
  const persistence = aofDir === undefined ? ['--appendonly', 'no'] : ['--appendonly', 'yes', '--appendfsync', 'always', '--dir', aofDir]
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', ...persistence, '--loglevel', 'warning']
  const child = spawn(process.execPath, [join(__dirname, '../../examples/watchdog.js'), String(process.pid), 'redis-server', ...args], { stdio: ['ignore', 'pipe', 'pipe'] })
  let output = ''
  child.stdout.on('data', (chunk) => { output += String(chunk) })
  child.stderr.on('data', (chunk) => { output += String(chunk) })
  const exited = once(child, 'exit')
  const stop = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return
    child.kill('SIGTERM')
    await exited
  }
  t.teardown(stop)
  const clients: Redis[] = []
  t.teardown(() => { for (const client of clients) client.disconnect() })
  const client = (): Redis => {
    const redis = new Redis({ host: '127.0.0.1', port, lazyConnect: false, maxRetriesPerRequest: 1 })
    redis.on('error', () => {}) // a test that stops the server sees the failures in its assertions
    clients.push(redis)
    return redis
  }
  // Ready when it answers PING: at most 100 tries, 50 ms apart.
  const probe = new Redis({ host: '127.0.0.1', port, lazyConnect: true, retryStrategy: () => null, maxRetriesPerRequest: 0 })
  probe.on('error', () => {})
  try {
    for (let attempt = 0; attempt < 100 && child.exitCode === null; attempt++) {
      try {
        await probe.connect()
        if (await probe.ping() === 'PONG') return { port, client, stop }
      } catch {}
      probe.disconnect()
      await new Promise((resolve) => setTimeout(resolve, 50))
    }
  } finally {
    probe.disconnect()
  }
  await stop()
  throw new Error(`redis-server did not start on 127.0.0.1:${port} (is Debian's redis-server installed? .ci/run installs it): ${output}`)
}
