// README "Typed events", in an ES module. Type-checked by test/readme-samples.test.ts, in a
// program of its own (declared events restrict every trigger of the program).
import Fastify from 'fastify'
import fastifyPusher from 'fastify-pusher'

const app = Fastify()
await app.register(fastifyPusher, { appId: '1', key: 'key', secret: 'secret' })

// --- README sample ---
declare module 'fastify-pusher' {
  interface PusherEvents {
    'order.shipped': { orderId: string }
  }
}
await app.pusher.trigger('private-orders.7', 'order.shipped', { orderId: '7' }) // checked at compile time
// --- end of README sample ---

// @ts-expect-error: the data of a declared event is checked
await app.pusher.trigger('private-orders.7', 'order.shipped', { orderId: 7 })
// @ts-expect-error: only declared names
await app.pusher.trigger('private-orders.7', 'order.lost', {})
