'use strict'
// npm run load: correctness under load, bounded in count (10,000 requests a run) and time
// (60 s a run), all on 127.0.0.1. Each run has its own server process (bench/load-server.js).
//   1. 10,000 signed webhooks (each a new delivery) over 100 connections: exactly 10,000 handler calls, all 200
//   2. the same with a handler that throws on every 20th call: exactly 500 answers of 500, 9,500 of 200
//   3. 10,000 auth requests (single, presence, batch of 10) over 100 connections: all 200
//   4. the durable queue's fault test with 5,000 events (test/queue/fault.test.ts, FAULT_EVENTS): 2 app instances
//      enqueue while 2 worker processes drain, one killed twice, soketi down for 5 s; every event received
// Prints each run's figures and the server's RSS before and after; exits 1 if a figure is off.
const { fork, spawnSync } = require('node:child_process')
const { createHmac } = require('node:crypto')
const { join } = require('node:path')
const autocannon = require('autocannon')
const { credentials } = require('./cases')

const AMOUNT = 10_000
const CONNECTIONS = 100

async function startServer (env = {}) {
  const child = fork(join(__dirname, 'load-server.js'), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], env: { ...process.env, ...env } })
  const { port, rss } = await new Promise((resolve, reject) => {
    child.once('message', resolve)
    child.once('exit', (code) => reject(new Error(`load server exited with ${code}`)))
  })
  const stats = async () => await new Promise((resolve) => { child.once('message', resolve); child.send('stats') })
  return { port, rssBefore: rss, stats, stop: () => { child.disconnect() } }
}

async function load (options) {
  return await new Promise((resolve, reject) => {
    const instance = autocannon({ connections: CONNECTIONS, amount: AMOUNT, timeout: 60, ...options }, (error, result) => error ? reject(error) : resolve(result))
    autocannon.track(instance, { renderProgressBar: false, renderResultsTable: false, renderLatencyTable: false })
  })
}

const webhookRequests = () => {
  let n = 0
  const events = JSON.stringify([{ name: 'member_added', channel: 'presence-a', user_id: 'u1' }])
  return [{
    method: 'POST',
    path: '/pusher/events/presence',
    setupRequest: (request) => {
      const body = `{"time_ms":${Date.now()},"events":${events.replace('"u1"', `"u${n++}"`)}}`
      return { ...request, body, headers: { 'content-type': 'application/json', 'x-pusher-key': credentials.key, 'x-pusher-signature': createHmac('sha256', credentials.secret).update(body).digest('hex') } }
    }
  }]
}

const form = { 'content-type': 'application/x-www-form-urlencoded' }
const authRequests = [
  { method: 'POST', path: '/pusher/auth', headers: form, body: 'socket_id=1234.5678&channel_name=private-orders.1' },
  { method: 'POST', path: '/pusher/auth', headers: form, body: 'socket_id=1234.5678&channel_name=presence-room' },
  { method: 'POST', path: '/pusher/auth', headers: form, body: 'socket_id=1234.5678' + Array.from({ length: 10 }, (_, i) => `&channel_name[${i}]=private-orders.${i}`).join('') }
]

const mb = (bytes) => `${(bytes / 2 ** 20).toFixed(1)} MB`
const statuses = (result) => Object.fromEntries(Object.entries(result.statusCodeStats).map(([code, { count }]) => [code, count]))

async function run (name, env, requests, expected) {
  const server = await startServer(env)
  try {
    const result = await load({ url: `http://127.0.0.1:${server.port}`, requests })
    const { calls, rss } = await server.stats()
    const got = { statuses: statuses(result), errors: result.errors + result.timeouts, ...(expected.calls === undefined ? {} : { calls }) }
    const ok = JSON.stringify(got) === JSON.stringify(expected)
    console.log(`${ok ? 'ok  ' : 'FAIL'} ${name.padEnd(48)} ${JSON.stringify(got)}   ${result.duration.toFixed(1)} s   RSS ${mb(server.rssBefore)} before, ${mb(rss)} after`)
    return ok
  } finally {
    server.stop()
  }
}

/** The durable queue's fault test, larger: its own figures line, and whether it passed. */
function faultTest (events) {
  const result = spawnSync(join(__dirname, '..', 'node_modules', '.bin', 'tap'), ['--disable-coverage', '--reporter=tap', 'test/queue/fault.test.ts'], {
    cwd: join(__dirname, '..'), env: { ...process.env, FAULT_EVENTS: String(events) }, encoding: 'utf8', timeout: 600_000
  })
  const figures = (result.stdout ?? '').split('\n').find((line) => line.includes('# fault test:')) ?? '(no figures)'
  const ok = result.status === 0
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${'durable queue fault test'.padEnd(48)} ${figures.replace(/^\s*# fault test: /, '')}`)
  return ok
}

async function main () {
  console.log(`npm run load: ${AMOUNT} requests a run over ${CONNECTIONS} connections on 127.0.0.1, node ${process.version}`)
  const results = [
    await run('signed webhooks', {}, webhookRequests(), { statuses: { 200: AMOUNT }, errors: 0, calls: AMOUNT }),
    await run('signed webhooks, every 20th handler call fails', { FAIL_EVERY: '20' }, webhookRequests(), { statuses: { 200: AMOUNT * 19 / 20, 500: AMOUNT / 20 }, errors: 0, calls: AMOUNT }),
    await run('auth: single, presence and batch of 10', {}, authRequests, { statuses: { 200: AMOUNT }, errors: 0 }),
    faultTest(5000)
  ]
  if (results.includes(false)) process.exit(1)
}

main().catch((error) => { console.error(error); process.exit(1) })
