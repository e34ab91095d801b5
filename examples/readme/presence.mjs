// README, "Presence on the server": the sample between the markers, with what it assumes around it.
// Run by test/readme-samples.test.ts.
import assert from 'node:assert'
import Fastify from 'fastify'
import fastifyPusher from 'fastify-pusher'
import { presenceWebhook } from 'fastify-pusher/testing'
import { client, credentials, webhookSecret } from './assumed.mjs'

const app = Fastify()
const mailed = []
const mailer = { send: async (userId, text) => { mailed.push([userId, text]) } }
const shipOrder = async (id) => ({ id, customerId: id === '7' ? 'ann' : 'bob' })

// --- README sample ---
await app.register(fastifyPusher, { ...credentials, presence: true })

app.post('/orders/:id/ship', async (request) => {
  const order = await shipOrder(request.params.id)
  // In the page if they are looking at it, by e-mail otherwise: no API call to find out.
  if (await app.pusher.presence.isOnline(order.customerId)) {
    await app.pusher.trigger(`private-customer.${order.customerId}`, 'order.shipped', order)
  } else {
    await mailer.send(order.customerId, `Order ${order.id} has shipped`)
  }
  return order
})

app.pusher.presence.on('offline', async ({ userId }) => {
  app.log.info({ userId }, 'left the last page with a presence channel')
})
// --- end of README sample ---

const joined = presenceWebhook(webhookSecret, { channel: 'presence-shop', added: ['ann'] })
assert.equal((await app.inject({ method: 'POST', url: '/pusher/events/presence', ...joined })).statusCode, 200)
assert.deepEqual(await app.pusher.presence.members('presence-shop'), ['ann'])
await app.inject({ method: 'POST', url: '/orders/7/ship' })
await app.inject({ method: 'POST', url: '/orders/8/ship' })
assert.deepEqual(client.sent, [{ channels: ['private-customer.ann'], event: 'order.shipped', data: { id: '7', customerId: 'ann' } }])
assert.deepEqual(mailed, [['bob', 'Order 8 has shipped']])
await app.close()
