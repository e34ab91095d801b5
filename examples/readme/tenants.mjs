// README, "Tenants": the sample between the markers, with what it assumes around it: a directory of two
// tenants in memory, and a loopback API standing for their servers. Run by test/readme-samples.test.ts.
import assert from 'node:assert'
import { once } from 'node:events'
import { createServer } from 'node:http'
import Fastify from 'fastify'
import fastifyPusher from 'fastify-pusher'

const calls = []
const api = createServer((req, res) => { calls.push(req.url.split('?')[0]); res.end('{}') })
api.listen(0, '127.0.0.1')
await once(api, 'listening')
const server = { host: '127.0.0.1', port: api.address().port, useTLS: false }
const rows = [
  { appId: 'shop-42', key: 'key-42', secret: 'secret-42', ...server },
  { appId: 'shop-43', key: 'key-43', secret: 'secret-43', ...server }
]
const db = {
  pusherApp: async ({ appId, key }) => rows.find((row) => appId !== undefined ? row.appId === appId : row.key === key)
}
const ownerOf = async (appId, orderId) => appId === 'shop-42' && orderId === '7' ? 'user-1' : undefined
const app = Fastify()
app.decorateRequest('user', null)
app.addHook('onRequest', async (request) => { request.user = { id: 'user-1', shop: 'shop-42' } })

// --- README sample ---
await app.register(fastifyPusher, {
  tenants: {
    credentials: async ({ appId, key }) => await db.pusherApp({ appId, key }), // undefined: unknown
    fromRequest: (request) => request.user?.shop, // an app id or key: a header, a route param, ...
    cacheMs: 60_000,
    max: 1000
  }
})

app.pusher.channel('orders.{orderId}', async (request, { orderId }) =>
  request.user.id === await ownerOf(request.pusher.tenant.appId, orderId)) // the tenant's own orders
app.pusher.webhooks.on('channel_occupied', async (request, event) => {
  console.log(request.pusher.tenant.appId, event.channel) // the tenant whose X-Pusher-Key signed it
})

const shop = await app.pusher.forApp('shop-43') // by app id or key
await shop.trigger('orders.7', 'order.shipped', { id: 7 })
// --- end of README sample ---

assert.deepEqual(calls, ['/apps/shop-43/batch_events'])
const auth = await app.inject({ method: 'POST', url: '/pusher/auth', payload: 'socket_id=1.2&channel_name=private-orders.7', headers: { 'content-type': 'application/x-www-form-urlencoded' } })
assert.match(auth.json().auth, /^key-42:/)
const other = await app.inject({ method: 'POST', url: '/pusher/auth', payload: 'socket_id=1.2&channel_name=private-orders.8', headers: { 'content-type': 'application/x-www-form-urlencoded' } })
assert.equal(other.statusCode, 403)
await app.close()
api.close()
