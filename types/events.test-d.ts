// Typed events: declared once by declaration merging, then checked at compile time.
// (Its own tsd run: the declaration below applies to the whole program.)
import Fastify from 'fastify'
import { expectError, expectType } from 'tsd'
import fastifyPusher, { type TriggerResponse } from 'fastify-pusher'

declare module 'fastify-pusher' {
  interface PusherEvents {
    'order.shipped': { orderId: string }
    typing: { name: string }
  }
}

const app = Fastify()
app.register(fastifyPusher, { appId: '1', key: 'k', secret: 's' })

expectType<Promise<TriggerResponse>>(app.pusher.trigger('orders', 'order.shipped', { orderId: '7' }))
app.pusher.trigger(['a', 'b'], 'typing', { name: 'Ann' }, { socket_id: '1.2' })
expectError(app.pusher.trigger('orders', 'order.shiped', { orderId: '7' }))
expectError(app.pusher.trigger('orders', 'order.shipped', { orderId: 7 }))
expectError(app.pusher.trigger('orders', 'order.shipped', { id: '7' }))

app.pusher.triggerBatch([{ channel: 'a', name: 'order.shipped', data: { orderId: '1' } }, { channel: 'b', name: 'typing', data: { name: 'x' } }])
expectError(app.pusher.triggerBatch([{ channel: 'a', name: 'order.shipped', data: { name: 'x' } }]))
expectError(app.pusher.triggerBatch([{ channel: 'a', name: 'unknown', data: {} }]))

app.pusher.sendToUser('ann', 'typing', { name: 'Bob' })
expectError(app.pusher.sendToUser('ann', 'typing', { orderId: '1' }))

// Declared notifications: only those types, each with its data.
declare module 'fastify-pusher' {
  interface PusherNotifications {
    'App\\Notifications\\InvoicePaid': { invoiceId: number }
  }
}
app.pusher.notify(7, 'App\\Notifications\\InvoicePaid', { invoiceId: 3 })
expectError(app.pusher.notify(7, 'App\\Notifications\\InvoicePaid', { invoiceId: '3' }))
expectError(app.pusher.notify(7, 'App\\Notifications\\Other', { invoiceId: 3 }))

app.post('/ship', async (request) => {
  await request.pusher.trigger('orders', 'order.shipped', { orderId: '7' })
  await request.pusher.notify(7, 'App\\Notifications\\InvoicePaid', { invoiceId: 3 })
  expectError(request.pusher.notify(7, 'welcome', {}))
  expectError(request.pusher.trigger('orders', 'nope', {}))
})
