'use strict'
// The demo: a chat page with who's online (presence) and messages (trigger), and /metrics (Prometheus).
// Without PUSHER_* variables it starts soketi on loopback, so it needs no account;
// with PUSHER_URL or PUSHER_APP_ID/PUSHER_KEY/PUSHER_SECRET/PUSHER_CLUSTER set it uses real Pusher.
//   npm run demo        (DEMO_PORT=3000 by default; 0 picks a free port)
const { readFile } = require('node:fs/promises')
const { join } = require('node:path')
const Fastify = require('fastify')
const fastifyPusher = require('fastify-pusher')
const { prometheusMetrics } = require('fastify-pusher/prometheus')
const { Registry, collectDefaultMetrics } = require('prom-client')
const { startSoketi, freePort } = require('./soketi')

const CHANNEL = 'presence-chat'
const NAME = /^[\p{L}\p{N} _.-]{1,32}$/u

async function main () {
  const realPusher = process.env.PUSHER_URL !== undefined || process.env.PUSHER_APP_ID !== undefined
  const appPort = process.env.DEMO_PORT !== undefined ? Number(process.env.DEMO_PORT) : 3000
  const listenPort = appPort === 0 ? await freePort() : appPort

  let soketi
  let pusherOptions = {}
  let browser // what pusher-js in the page needs
  if (!realPusher) {
    soketi = await startSoketi({
      webhooks: [{ url: `http://127.0.0.1:${listenPort}/pusher/events/presence`, event_types: ['member_added', 'member_removed'] }]
    })
    pusherOptions = soketi.pusherOptions
    browser = { wsHost: soketi.host, wsPort: soketi.port, forceTLS: false, enabledTransports: ['ws'], cluster: 'local' }
  }

  const app = Fastify({ logger: { level: process.env.LOG_LEVEL ?? 'info' } })
  // What the plugin does, as Prometheus metrics beside the process's own: GET /metrics.
  const registry = new Registry()
  collectDefaultMetrics({ register: registry })
  const metrics = prometheusMetrics({ registry })
  app.addHook('onClose', async () => { metrics.close() })
  app.get('/metrics', async (request, reply) => reply.type(registry.contentType).send(await registry.metrics()))
  await app.register(fastifyPusher, pusherOptions)
  // Real Pusher: pusher-js needs the cluster (from the option, or the API host api-CLUSTER.pusher.com).
  const apiHost = app.pusher.client.config?.host ?? ''
  browser ??= { cluster: process.env.PUSHER_CLUSTER ?? /^api-(.+)\.pusher\.com$/.exec(apiHost)?.[1] ?? 'mt1' }

  // The demo's "login" is the name the page sends; a real app would use its session.
  const nameOf = (request) => {
    const name = request.headers['x-demo-name']
    return typeof name === 'string' && NAME.test(name) ? name : undefined
  }
  app.pusher.auth((request, channelName) => channelName === CHANNEL && nameOf(request) !== undefined)
  app.pusher.channelData((request, channelName, socketId) => ({ user_id: socketId, user_info: { name: nameOf(request) } }))
  app.pusher.webhooks.presence((request, payload) => {
    for (const event of payload.events) request.log.info({ event }, 'presence webhook')
  })

  const page = await readFile(join(__dirname, 'public', 'index.html'), 'utf8')
  app.get('/', (request, reply) => reply.type('text/html').send(page))
  app.get('/pusher.js', async (request, reply) =>
    reply.type('text/javascript').send(await readFile(require.resolve('pusher-js/dist/web/pusher.min.js'))))
  app.get('/config', async () => ({ key: app.pusher.key, channel: CHANNEL, options: browser }))
  app.post('/messages', {
    schema: {
      body: {
        type: 'object',
        required: ['name', 'text'],
        properties: { name: { type: 'string', pattern: NAME.source }, text: { type: 'string', minLength: 1, maxLength: 500 } }
      }
    }
  }, async (request) => {
    await app.pusher.trigger(CHANNEL, 'message', { name: request.body.name, text: request.body.text, at: Date.now() })
    return { sent: true }
  })

  const stop = async () => {
    await app.close()
    await soketi?.stop()
    process.exit(0)
  }
  process.once('SIGINT', stop)
  process.once('SIGTERM', stop)

  await app.listen({ host: '127.0.0.1', port: listenPort })
  console.log(`\n  fastify-pusher demo (${soketi ? `soketi on 127.0.0.1:${soketi.port}` : 'Pusher Channels'}): open http://127.0.0.1:${listenPort}/ (metrics: /metrics)\n`)
}

main().catch((error) => {
  console.error(error)
  process.exit(1)
})
