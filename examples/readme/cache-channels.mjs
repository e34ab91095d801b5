// README, "Cache channels": the sample between the markers, with what it assumes around it.
// Run by test/readme-samples.test.ts.
import assert from 'node:assert'
import Fastify from 'fastify'
import fastifyPusher from 'fastify-pusher'
import { cacheMissWebhook } from 'fastify-pusher/testing'
import { client, credentials, webhookSecret } from './assumed.mjs'

const app = Fastify()
await app.register(fastifyPusher, credentials)
const stateOf = async (orderId) => ({ id: orderId, status: 'shipped' })

// --- README sample ---
// cache-orders.7 (or private-cache-, presence-cache-, private-encrypted-cache-orders.7) with nothing cached:
// publish the order's state on it, as event "order.state"
app.pusher.cacheChannel('orders.{orderId}', async ({ orderId }) => ({ event: 'order.state', data: await stateOf(orderId) }))
// --- end of README sample ---

const signed = cacheMissWebhook(webhookSecret, 'cache-orders.7')
assert.equal((await app.inject({ method: 'POST', url: '/pusher/events/cache_miss', ...signed })).statusCode, 200)
assert.deepEqual(client.sent, [{ channels: ['cache-orders.7'], event: 'order.state', data: { id: '7', status: 'shipped' } }])
await app.close()
