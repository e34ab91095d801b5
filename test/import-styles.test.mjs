// ESM, against the built package (npm test builds first).
import t from 'tap'
import Fastify from 'fastify'
import fastifyPusher, { fastifyPusher as named, ChannelName } from 'fastify-pusher'

t.test('import default and import { fastifyPusher } are the plugin', async (t) => {
  t.type(fastifyPusher, 'function')
  t.equal(named, fastifyPusher)
  t.equal(ChannelName.maxLength, 164)
  for (const plugin of [fastifyPusher, named]) {
    const app = Fastify()
    await app.register(plugin, { appId: '1', key: 'k', secret: 's' })
    t.equal(app.pusher.key, 'k')
    await app.close()
  }
})

t.test('import from \'fastify-pusher/testing\' gives the testing kit', async (t) => {
  const { signWebhook, pusherTestClient } = await import('fastify-pusher/testing')
  t.equal(signWebhook({ key: 'k', secret: 's' }, '{}').headers['x-pusher-key'], 'k')
  const client = pusherTestClient()
  await client.trigger('a', 'b', 1)
  t.same(client.sent, [{ channels: ['a'], event: 'b', data: 1 }])
})

t.test('import from \'fastify-pusher/otel\' and \'fastify-pusher/prometheus\' gives the helpers; the channel names from the main entry', async (t) => {
  const { openTelemetry } = await import('fastify-pusher/otel')
  const { prometheusMetrics } = await import('fastify-pusher/prometheus')
  const { diagnosticChannels } = await import('fastify-pusher')
  t.type(openTelemetry, 'function')
  t.type(prometheusMetrics, 'function')
  t.equal(diagnosticChannels.api, 'fastify-pusher.api')
})
