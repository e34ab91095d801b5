'use strict'
// A redis-server for the benchmark: 127.0.0.1, a free port, persistence off, under the
// watchdog (ended if the benchmark dies); stopped by pid.
const { spawn } = require('node:child_process')
const { once } = require('node:events')
const { createConnection } = require('node:net')
const { join } = require('node:path')
const { freePort } = require('../examples/soketi')

async function startRedis () {
  const port = await freePort()
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--loglevel', 'warning']
  const child = spawn(process.execPath, [join(__dirname, '../examples/watchdog.js'), String(process.pid), 'redis-server', ...args], { stdio: 'inherit' })
  const exited = once(child, 'exit')
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return
    child.kill('SIGTERM')
    await exited
  }
  // Ready when the port takes a connection: at most 100 tries, 50 ms apart.
  for (let attempt = 0; attempt < 100 && child.exitCode === null; attempt++) {
    const socket = createConnection({ host: '127.0.0.1', port })
    const connected = await new Promise((resolve) => {
      socket.once('connect', () => { resolve(true) })
      socket.once('error', () => { resolve(false) })
    })
    socket.destroy()
    if (connected) return { port, stop }
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  await stop()
  throw new Error(`redis-server did not start on 127.0.0.1:${port}`)
}

module.exports = { startRedis }
