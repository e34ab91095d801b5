// README, "Durable sending": the sample between the markers, with what it assumes around it.
// Run by test/readme-samples.test.ts, against a redis-server of its own (REDIS_URL).
import assert from 'node:assert'
import Fastify from 'fastify'
import fastifyPusher from 'fastify-pusher'
import { client, credentials } from './assumed.mjs'

const app = Fastify()

// --- README sample ---
import Redis from 'ioredis'

const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379')
await app.register(fastifyPusher, { ...credentials, queue: { connection: redis } })
app.addHook('onClose', async () => { await redis.quit() }) // after the plugin's own close

app.post('/orders/:id/ship', async (request) => {
  // Stored in Redis before the reply; a worker sends it, whatever happens to this process.
  await request.pusher.queue.trigger(`private-orders.${request.params.id}`, 'OrderShipped', { id: request.params.id },
    { idempotencyKey: `order-${request.params.id}-shipped` })
  // Sent only once the reply has gone out with a status below 400; never fails this request.
  request.pusher.afterReply.trigger('dashboard', 'OrderShipped', { id: request.params.id })
  return { shipped: true }
})
// --- end of README sample ---

for (let i = 0; i < 2; i++) assert.equal((await app.inject({ method: 'POST', url: '/orders/7/ship' })).statusCode, 200)
for (let i = 0; i < 250 && client.sent.length < 3; i++) await new Promise((resolve) => setTimeout(resolve, 20))
assert.deepEqual(client.sent.map((event) => [event.channels[0], event.event]).sort(),
  [['dashboard', 'OrderShipped'], ['dashboard', 'OrderShipped'], ['private-orders.7', 'OrderShipped']], 'the keyed event once, the afterReply one per reply')
await app.close()
