import { spawn, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { createServer } from 'node:net'
import { join } from 'node:path'

export interface SoketiWebhook {
  url: string
  event_types: string[]
}

export interface Soketi {
  host: '127.0.0.1'
  port: number
  appId: string
  key: string
  secret: string
  /** What soketi printed, for failure messages. */
  output: () => string
  stop: () => Promise<void>
}

export interface SoketiOptions {
  webhooks?: SoketiWebhook[]
  appId?: string
  key?: string
  secret?: string
}

/** A port nobody listens on right now, on loopback. */
export async function freePort (): Promise<number> {
  const server = createServer()
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const { port } = server.address() as { port: number }
  server.close()
  await once(server, 'close')
  return port
}

const soketiBin = require.resolve('@soketi/soketi/bin/server.js')
const watchdog = join(__dirname, 'watchdog.cjs')

/**
 * Starts soketi 1.6.1 on loopback only, on free ports, with one app. It runs under a
 * watchdog in its own process group: `stop()` ends the group, and the watchdog ends
 * soketi if this process dies without calling it.
 */
export async function startSoketi (options: SoketiOptions = {}): Promise<Soketi> {
  // Non-numeric ids: soketi JSON-parses every SOKETI_* value.
  const appId = options.appId ?? 'app-id'
  const key = options.key ?? 'app-key'
  const secret = options.secret ?? 'app-secret'
  const [port, metricsPort, clusterPort] = [await freePort(), await freePort(), await freePort()]
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    // Network rule: everything on loopback. Without the unicast address soketi's
    // cluster discovery broadcasts to 255.255.255.255.
    SOKETI_HOST: '127.0.0.1',
    SOKETI_METRICS_HOST: '127.0.0.1',
    SOKETI_CLUSTER_UNICAST_ADDRESSES: '127.0.0.1',
    SOKETI_CLUSTER_HOST: '127.0.0.1',
    SOKETI_CLUSTER_PORT: String(clusterPort),
    SOKETI_PORT: String(port),
    SOKETI_METRICS_SERVER_PORT: String(metricsPort),
    SOKETI_DEFAULT_APP_ID: appId,
    SOKETI_DEFAULT_APP_KEY: key,
    SOKETI_DEFAULT_APP_SECRET: secret,
    SOKETI_DEFAULT_APP_ENABLE_CLIENT_MESSAGES: 'true',
    SOKETI_DEFAULT_APP_USER_AUTHENTICATION: 'true',
    SOKETI_USER_AUTHENTICATION_TIMEOUT: '3600000',
    SOKETI_DEFAULT_APP_WEBHOOKS: JSON.stringify(options.webhooks ?? [])
  }
  const child: ChildProcess = spawn(process.execPath, [watchdog, String(process.pid), process.execPath, soketiBin, 'start'], {
    env,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe']
  })
  let output = ''
  child.stdout?.on('data', (chunk) => { output += String(chunk) })
  child.stderr?.on('data', (chunk) => { output += String(chunk) })
  const exited = once(child, 'exit')

  const stop = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return
    try { process.kill(-child.pid!, 'SIGTERM') } catch {}
    const killer = setTimeout(() => { try { process.kill(-child.pid!, 'SIGKILL') } catch {} }, 5000)
    await exited
    clearTimeout(killer)
  }

  // Ready when its HTTP port answers: polled, at most 150 times, 100 ms apart.
  for (let attempt = 0; attempt < 150; attempt++) {
    if (child.exitCode !== null) break
    try {
      const res = await fetch(`http://127.0.0.1:${port}/`)
      if (res.ok) return { host: '127.0.0.1', port, appId, key, secret, output: () => output, stop }
    } catch {}
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  await stop()
  throw new Error(`soketi did not start on 127.0.0.1:${port}:\n${output}`)
}
