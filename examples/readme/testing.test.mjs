// README, "Testing your app": the sample between the markers, with what it assumes around it.
// Run by test/readme-samples.test.ts.
import Fastify from 'fastify'
import fastifyPusher from 'fastify-pusher'

// Your app, with the options your tests give it.
function buildApp ({ pusher }) {
  const app = Fastify()
  app.register(fastifyPusher, pusher)
  app.register(async (app) => {
    app.post('/orders', async (request) => {
      await app.pusher.trigger('orders', 'order.created', { id: request.body.id })
      return { created: true }
    })
    app.pusher.webhooks.presence(async () => {})
  })
  return app
}

// --- README sample ---
import { test } from 'node:test'
import assert from 'node:assert'
import { signWebhook, pusherTestClient } from 'fastify-pusher/testing'

test('orders are announced, and members are tracked', async () => {
  const client = pusherTestClient()              // the official client, recording instead of sending
  const app = buildApp({ pusher: { client } })   // your app, registering fastify-pusher with `client`
  await app.inject({ method: 'POST', url: '/orders', payload: { id: 1 } })
  assert.deepStrictEqual(client.sent, [{ channels: ['orders'], event: 'order.created', data: { id: 1 } }])

  const res = await app.inject({
    method: 'POST',
    url: '/pusher/events/presence',
    ...signWebhook({ key: 'test-key', secret: 'test-secret' }, { events: [{ name: 'member_added', channel: 'presence-room', user_id: 'u1' }] })
  })
  assert.strictEqual(res.statusCode, 200)
})
// --- end of README sample ---
