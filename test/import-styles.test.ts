// TypeScript (compiled to CommonJS with esModuleInterop), against the built package.
import Fastify from 'fastify'
import t from 'tap'
import fastifyPusher, { fastifyPusher as named } from 'fastify-pusher'
import fastifyPusherCjs = require('fastify-pusher')

t.test('TypeScript default, named and require imports are the plugin', async (t) => {
  t.equal(named, fastifyPusher)
  t.equal(fastifyPusherCjs.default, fastifyPusher)
  for (const plugin of [fastifyPusher, named, fastifyPusherCjs.fastifyPusher]) {
    const app = Fastify()
    await app.register(plugin, { appId: '1', key: 'k', secret: 's' })
    t.equal(app.pusher.key, 'k')
    await app.close()
  }
})
