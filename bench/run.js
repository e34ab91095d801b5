'use strict'
// npm run bench: the plugin's routes over real HTTP on 127.0.0.1, against a hand-written
// route doing the same signing without checks and a bare route answering a constant.
// Each server and each load run is its own process; contenders take turns within each
// round (the order rotates), and medians of the rounds are compared. Bounded in time:
// cases x contenders x BENCH_ROUNDS runs of BENCH_DURATION seconds each.
// Then the send benchmark (bench/send.js; BENCH_SEND=0 leaves it out).
const { fork, execFileSync } = require('node:child_process')
const { join } = require('node:path')
const { CASES } = require('./cases')
const { benchSend } = require('./send')
const { startRedis } = require('./redis')
const { benchGuards } = require('./telemetry')

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 7)
const DURATION = Number(process.env.BENCH_DURATION ?? 2)
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50)
const ONLY = process.env.BENCH_CASES?.split(',')
// otel: the plugin with fastify-pusher/otel on, on the plugin's paths.
const CONTENDERS = ['plugin', 'handwritten', 'constant', 'otel', 'fair', 'fairEvents']
for (const request of Object.values(CASES)) request.path.otel = request.path.plugin

async function startServer (kind, env = {}) {
  const child = fork(join(__dirname, 'servers.js'), [kind], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], env: { ...process.env, ...env } })
  const { port } = await new Promise((resolve, reject) => {
    child.once('message', resolve)
    child.once('exit', (code) => reject(new Error(`${kind} server exited with ${code}`)))
  })
  return { kind, port, stop: () => { child.disconnect(); child.kill() } }
}

function load (server, request, duration = DURATION) {
  const spec = { url: `http://127.0.0.1:${server.port}${request.path[server.kind]}`, body: request.body, headers: request.headers, webhook: request.webhook, connections: CONNECTIONS, duration }
  const result = JSON.parse(execFileSync(process.execPath, [join(__dirname, 'load.js'), JSON.stringify(spec)], { encoding: 'utf8', timeout: (duration + 30) * 1000 }))
  if (result.non2xx > 0 || result.errors > 0) throw new Error(`${server.kind} ${request.path[server.kind]}: ${result.non2xx} non-2xx, ${result.errors} errors`)
  return result.perSecond
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]
const µs = (perSecond) => 1e6 / perSecond

async function main () {
  const names = Object.keys(CASES).filter((name) => ONLY === undefined || ONLY.includes(name))
  // The webhook cases also measure the plugin with its dedupe store in Redis (a redis-server of its own).
  const redisServer = names.some((name) => CASES[name].path.redis !== undefined) ? await startRedis() : undefined
  const servers = await Promise.all(CONTENDERS.map((kind) => startServer(kind)))
  if (redisServer !== undefined) servers.push(await startServer('redis', { BENCH_REDIS_PORT: String(redisServer.port) }))
  console.log(`fastify-pusher bench: real HTTP on 127.0.0.1, autocannon ${CONNECTIONS} connections, ${ROUNDS} rounds x ${DURATION} s per contender and case, node ${process.version}`)
  const results = {}
  try {
    for (const name of names) {
      const contenders = servers.filter((server) => CASES[name].path[server.kind] !== undefined)
      for (const server of contenders) load(server, CASES[name], 1) // warm up
      const rates = Object.fromEntries(contenders.map((server) => [server.kind, []]))
      for (let round = 0; round < ROUNDS; round++) {
        const order = contenders.map((_, i) => contenders[(i + round) % contenders.length])
        for (const server of order) rates[server.kind].push(load(server, CASES[name]))
      }
      results[name] = Object.fromEntries(contenders.map((server) => [server.kind, median(rates[server.kind])]))
      const r = results[name]
      const otel = `   with OpenTelemetry on ${r.otel.toFixed(0).padStart(6)} req/s (${(r.otel / r.plugin).toFixed(2)}x, ${(µs(r.otel) - µs(r.plugin)).toFixed(1)} µs more a request)`
      let fair = ''
      if (r.fair !== undefined) {
        fair = `   same work by hand ${r.fair.toFixed(0).padStart(6)} req/s, plugin/same work ${(r.plugin / r.fair).toFixed(2)}x` +
          `   with a mark per event ${r.fairEvents.toFixed(0).padStart(6)} req/s, plugin/that ${(r.plugin / r.fairEvents).toFixed(2)}x`
      }
      const redis = r.redis === undefined ? '' : `   with the Redis store ${r.redis.toFixed(0).padStart(6)} req/s (${(r.redis / r.plugin).toFixed(2)}x in memory, ${(µs(r.redis) - µs(r.plugin)).toFixed(0)} µs more a delivery)`
      console.log(`${name.padEnd(18)} plugin ${r.plugin.toFixed(0).padStart(6)} req/s   hand-written ${r.handwritten.toFixed(0).padStart(6)} req/s   constant ${r.constant.toFixed(0).padStart(6)} req/s   plugin/hand-written ${(r.plugin / r.handwritten).toFixed(2)}x   plugin/constant ${(r.plugin / r.constant).toFixed(2)}x${fair}${otel}${redis}`)
    }
    const w1 = results['webhook 1 event']
    const w100 = results['webhook 100 events']
    if (w1 !== undefined && w100 !== undefined) {
      for (const kind of ['plugin', 'fair', 'fairEvents', 'handwritten']) {
        console.log(`webhook cost, ${kind.padEnd(11)} ${((µs(w100[kind]) - µs(w1[kind])) / 99).toFixed(2)} µs of CPU per event (from the deliveries of 1 and of 100 events)`)
      }
    }
    const b10 = results['batch of 10']
    const b100 = results['batch of 100']
    if (b10 !== undefined && b100 !== undefined) {
      for (const kind of ['plugin', 'handwritten']) {
        const perChannel = (µs(b100[kind]) - µs(b10[kind])) / 90
        const base = µs(b10[kind]) - 10 * perChannel
        console.log(`batch cost, ${kind.padEnd(11)} ${base.toFixed(1)} µs + ${perChannel.toFixed(2)} µs per channel (from the batch of 10 and of 100)`)
      }
    }
  } finally {
    for (const server of servers) server.stop()
    await redisServer?.stop()
  }
  benchGuards(results)
  if (process.env.BENCH_SEND !== '0') await benchSend()
}

main().catch((error) => { console.error(error); process.exit(1) })
