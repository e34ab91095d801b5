// README, "Several apps": the sample between the markers, with what it assumes around it.
// Run by test/readme-samples.test.ts.
import assert from 'node:assert'
import Fastify from 'fastify'
import fastifyPusher from 'fastify-pusher'
import { pusherTestClient } from 'fastify-pusher/testing'

const app = Fastify()
const eu = { client: pusherTestClient({ appId: 'eu', key: 'eu-key' }) }
const us = { client: pusherTestClient({ appId: 'us', key: 'us-key' }) }

// --- README sample ---
await app.register(fastifyPusher, { name: 'eu', ...eu, prefix: '/pusher-eu' })
await app.register(fastifyPusher, { name: 'us', ...us, prefix: '/pusher-us' })

app.pusher.apps.eu.channel('orders.{orderId}', async () => true)   // signs at /pusher-eu/auth
await app.pusher.apps.us.trigger('news', 'item', { text: 'hi' })

app.post('/orders', async (request) => {
  await request.pusher.apps.eu.trigger('orders.1', 'order.created', {})   // the sender left out
  return { ok: true }
})
// --- end of README sample ---

assert.deepEqual(us.client.sent, [{ channels: ['news'], event: 'item', data: { text: 'hi' } }])
await app.inject({ method: 'POST', url: '/orders', headers: { 'x-socket-id': '1.2' } })
assert.deepEqual(eu.client.sent, [{ channels: ['orders.1'], event: 'order.created', data: {}, socket_id: '1.2' }])
const auth = await app.inject({ method: 'POST', url: '/pusher-eu/auth', payload: 'socket_id=1.2&channel_name=private-orders.1', headers: { 'content-type': 'application/x-www-form-urlencoded' } })
assert.match(auth.json().auth, /^eu-key:/)
assert.throws(() => app.pusher.trigger, { code: 'FST_PUSHER_NO_DEFAULT_APP' })
await app.close()
