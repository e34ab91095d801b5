'use strict'
// npm run bench: the plugin's routes against hand-written baselines doing the same work,
// measured in the same run (in-process inject, interleaved rounds), printed as ratios.
// Bounded: ROUNDS x ITERATIONS requests per case.
const { createHmac } = require('node:crypto')
const Fastify = require('fastify')
const formbody = require('@fastify/formbody')
const Pusher = require('pusher')
const fastifyPusher = require('fastify-pusher')

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5)
const ITERATIONS = Number(process.env.BENCH_ITERATIONS ?? 2000)
const credentials = { appId: '1', key: 'KEY', secret: 'SUPERSECRET', cluster: 'eu' }
const form = { 'content-type': 'application/x-www-form-urlencoded' }
const webhookBody = JSON.stringify({ time_ms: 1, events: [{ name: 'member_added', channel: 'presence-a', user_id: 'u1' }] })
const webhookHeaders = { 'content-type': 'application/json', 'x-pusher-key': 'KEY', 'x-pusher-signature': createHmac('sha256', 'SUPERSECRET').update(webhookBody).digest('hex') }
const batchBody = '&socket_id=1.42' + Array.from({ length: 10 }, (_, i) => `&channel_name[${i}]=private-${i}`).join('')

/** What an app writes by hand without the plugin (and without its checks). */
async function baselineApp () {
  const app = Fastify()
  const client = new Pusher(credentials)
  await app.register(formbody)
  app.post('/auth', async (request) => client.authorizeChannel(request.body.socket_id, request.body.channel_name))
  app.post('/auth-batch', async (request) => {
    const answer = {}
    for (let i = 0; request.body[`channel_name[${i}]`] !== undefined; i++) {
      const name = request.body[`channel_name[${i}]`]
      answer[name] = { status: 200, data: client.authorizeChannel(request.body.socket_id, name) }
    }
    return answer
  })
  app.post('/webhook', { config: {} }, async (request) => {
    client.webhook({ headers: request.headers, rawBody: JSON.stringify(request.body) }).isValid()
    return { ok: true }
  })
  await app.ready()
  return app
}

async function pluginApp () {
  const app = Fastify()
  await app.register(fastifyPusher, credentials)
  app.pusher.auth(() => true)
  app.pusher.webhooks.presence(() => {})
  await app.ready()
  return app
}

async function time (app, request) {
  const start = process.hrtime.bigint()
  for (let i = 0; i < ITERATIONS; i++) {
    const res = await app.inject(request)
    if (res.statusCode !== 200) throw new Error(`${request.url}: ${res.statusCode} ${res.body}`)
  }
  return Number(process.hrtime.bigint() - start) / 1e6
}

async function main () {
  const [baseline, plugin] = [await baselineApp(), await pluginApp()]
  const cases = [
    ['private channel auth', { method: 'POST', url: '/auth', payload: 'socket_id=1.42&channel_name=private-a', headers: form }, { method: 'POST', url: '/pusher/auth', payload: 'socket_id=1.42&channel_name=private-a', headers: form }],
    ['batch auth, 10 channels', { method: 'POST', url: '/auth-batch', payload: batchBody, headers: form }, { method: 'POST', url: '/pusher/auth', payload: batchBody, headers: form }],
    ['signed webhook', { method: 'POST', url: '/webhook', payload: webhookBody, headers: webhookHeaders }, { method: 'POST', url: '/pusher/events/presence', payload: webhookBody, headers: webhookHeaders }]
  ]
  console.log(`fastify-pusher bench: ${ROUNDS} rounds x ${ITERATIONS} requests per case, node ${process.version}`)
  for (const [name, base, ours] of cases) {
    await time(baseline, base); await time(plugin, ours) // warm up
    const b = []; const p = []
    for (let round = 0; round < ROUNDS; round++) {
      b.push(await time(baseline, base))
      p.push(await time(plugin, ours))
    }
    const median = (xs) => xs.sort((x, y) => x - y)[Math.floor(xs.length / 2)]
    const [bm, pm] = [median(b), median(p)]
    console.log(`${name.padEnd(24)} baseline ${(ITERATIONS / bm * 1000).toFixed(0).padStart(7)} req/s  plugin ${(ITERATIONS / pm * 1000).toFixed(0).padStart(7)} req/s  time ratio plugin/baseline ${(pm / bm).toFixed(2)}`)
  }
  const { heapUsed, rss } = process.memoryUsage()
  console.log(`memory after the run: heap ${(heapUsed / 2 ** 20).toFixed(1)} MiB, rss ${(rss / 2 ** 20).toFixed(1)} MiB`)
  await baseline.close()
  await plugin.close()
}

main().catch((error) => { console.error(error); process.exit(1) })
