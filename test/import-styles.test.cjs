'use strict'
// CommonJS, against the built package (npm test builds first).
const t = require('tap')
const Fastify = require('fastify')

t.test('require() returns the plugin itself, with .default and .fastifyPusher', async (t) => {
  const fastifyPusher = require('fastify-pusher')
  t.type(fastifyPusher, 'function')
  t.equal(fastifyPusher.default, fastifyPusher)
  t.equal(fastifyPusher.fastifyPusher, fastifyPusher)
  t.equal(require('fastify-pusher').fastifyPusher, fastifyPusher, 'destructuring works')
  t.ok(fastifyPusher.PresenceWebhook, 'the schemas come along')
  t.equal(fastifyPusher.errors.WebhookSignatureError().code, 'FST_PUSHER_WEBHOOK_INVALID_SIGNATURE')
  for (const plugin of [fastifyPusher, fastifyPusher.default, fastifyPusher.fastifyPusher]) {
    const app = Fastify()
    await app.register(plugin, { appId: '1', key: 'k', secret: 's' })
    t.equal(app.pusher.key, 'k')
    await app.close()
  }
})

t.test('require(\'fastify-pusher/testing\') gives the testing kit', async (t) => {
  const { signWebhook, pusherTestClient } = require('fastify-pusher/testing')
  t.equal(signWebhook({ key: 'k', secret: 's' }, '{}').headers['x-pusher-key'], 'k')
  const client = pusherTestClient()
  await client.trigger('a', 'b', 1)
  t.same(client.sent, [{ channels: ['a'], event: 'b', data: 1 }])
})

t.test('require(\'fastify-pusher/worker\') gives startWorker', async (t) => {
  const { startWorker } = require('fastify-pusher/worker')
  t.type(startWorker, 'function')
  await t.rejects(startWorker({ appId: '1', key: 'k', secret: 's' }), { code: 'FST_PUSHER_INVALID_OPTION', message: /"queue": startWorker needs it/ })
})

t.test('the published source maps carry their sources (the .ts files are not shipped)', async (t) => {
  const { readdirSync, readFileSync } = require('node:fs')
  const { join } = require('node:path')
  const dist = join(__dirname, '..', 'dist')
  const maps = readdirSync(dist, { recursive: true }).filter((file) => file.endsWith('.js.map'))
  t.ok(maps.length > 20, `${maps.length} maps`)
  for (const file of maps) {
    const map = JSON.parse(readFileSync(join(dist, file), 'utf8'))
    t.equal(map.sourcesContent?.length, map.sources.length, file)
  }
})

t.test('require(\'fastify-pusher/otel\') and require(\'fastify-pusher/prometheus\') give the helpers', async (t) => {
  const { openTelemetry } = require('fastify-pusher/otel')
  const { prometheusMetrics } = require('fastify-pusher/prometheus')
  t.type(openTelemetry, 'function')
  t.type(prometheusMetrics, 'function')
  t.equal(require('fastify-pusher').diagnosticChannels.webhook, 'fastify-pusher.webhook')
})
