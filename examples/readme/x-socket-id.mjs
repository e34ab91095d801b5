// README, "Laravel Echo", toOthers(): the sample between the markers, with what it assumes around it.
// Run by test/readme-samples.test.ts.
import assert from 'node:assert'
import Fastify from 'fastify'
import fastifyPusher from 'fastify-pusher'
import { client, credentials } from './assumed.mjs'

const app = Fastify()
await app.register(fastifyPusher, credentials)

// --- README sample ---
import { SocketId } from 'fastify-pusher'

app.post('/orders/:orderId/ship', { schema: { headers: { type: 'object', properties: { 'x-socket-id': SocketId } } } },
  async (request) => {
    await app.pusher.trigger(`private-orders.${request.params.orderId}`, 'OrderShipped', { orderId: request.params.orderId },
      { socket_id: request.headers['x-socket-id'] })
    return { shipped: true }
  })
// --- end of README sample ---

const shipped = await app.inject({ method: 'POST', url: '/orders/7/ship', headers: { 'x-socket-id': '123.456' } })
assert.equal(shipped.statusCode, 200)
assert.deepEqual(client.sent, [{ channels: ['private-orders.7'], event: 'OrderShipped', data: { orderId: '7' }, socket_id: '123.456' }])
assert.equal((await app.inject({ method: 'POST', url: '/orders/7/ship', headers: { 'x-socket-id': 'nope' } })).statusCode, 400)
await app.close()
