// README, "request.pusher": the sample between the markers, with what it assumes around it.
// Run by test/readme-samples.test.ts.
import assert from 'node:assert'
import Fastify from 'fastify'
import fastifyPusher from 'fastify-pusher'
import { client, credentials } from './assumed.mjs'

const app = Fastify()
await app.register(fastifyPusher, credentials)

// --- README sample ---
app.post('/orders/:id/ship', async (request) => {
  await request.pusher.trigger(`private-orders.${request.params.id}`, 'OrderShipped', { id: request.params.id })
  return { shipped: true }
})
// --- end of README sample ---

assert.equal((await app.inject({ method: 'POST', url: '/orders/9/ship', headers: { 'x-socket-id': '1.2' } })).statusCode, 200)
assert.deepEqual(client.sent, [{ channels: ['private-orders.9'], event: 'OrderShipped', data: { id: '9' }, socket_id: '1.2' }])
await app.close()
