// The server side of a Laravel Echo front end, with Echo's defaults: Echo posts to
// /broadcasting/auth and /broadcasting/user-auth, so the plugin lives under /broadcasting.
// Run by test/laravel-echo.test.mjs against soketi, with Echo 2 and pusher-js as clients.
import Fastify from 'fastify'
import fastifyPusher, { SocketId } from 'fastify-pusher'

// Stand-ins for your database and session.
const users = new Map([['ann', { id: 1, name: 'Ann' }], ['bob', { id: 2, name: 'Bob' }]])
const orders = new Map([['7', { ownerId: 1 }], ['8', { ownerId: 2 }]])

export async function buildApp (pusherOptions, serverOptions = {}) {
  const app = Fastify(serverOptions)
  // Your session plugin sets request.user; here the X-User header names the user.
  app.decorateRequest('user', null)
  app.addHook('onRequest', async (request) => { request.user = users.get(request.headers['x-user']) ?? null })

  await app.register(fastifyPusher, { ...pusherOptions, prefix: '/broadcasting' })

  // Laravel: Broadcast::channel('orders.{orderId}', fn ($user, $orderId) => $user->id === Order::find($orderId)->user_id)
  // One rule serves Echo's private('orders.7') and encryptedPrivate('orders.7').
  app.pusher.channel('orders.{orderId}', (request, { orderId }) =>
    request.user !== null && orders.get(orderId)?.ownerId === request.user.id)

  // A presence channel: the object returned is the member, and Echo's here(), joining()
  // and leaving() get its user_info.
  app.pusher.channel('chat.{roomId}', (request, { roomId }) =>
    request.user !== null && { user_id: request.user.id, user_info: { id: request.user.id, name: request.user.name, room: roomId } })

  // Laravel: Broadcast::channel('App.Models.User.{id}', fn ($user, $id) => (int) $user->id === (int) $id)
  // The channel of a user's broadcast notifications (app.pusher.notify), which Echo's .notification() hears.
  app.pusher.channel('App.Models.User.{id}', (request, { id }) => request.user !== null && String(request.user.id) === id)

  // echo.connector.pusher.signin(): the user that server-to-user events reach.
  app.pusher.userAuth((request) => request.user && { id: request.user.id, user_info: { name: request.user.name } })

  // Laravel's broadcast(new OrderShipped($order))->toOthers(): Echo sends X-Socket-ID with
  // each request of its axios/jQuery/Vue/Turbo interceptors; that socket does not get the event.
  app.post('/orders/:orderId/ship', {
    schema: { headers: { type: 'object', properties: { 'x-socket-id': SocketId } } }
  }, async (request) => {
    const { orderId } = request.params
    // Echo listens with .listen('.OrderShipped'); .listen('OrderShipped') would want 'App\\Events\\OrderShipped'.
    await app.pusher.trigger(`private-orders.${orderId}`, 'OrderShipped', { orderId }, { socket_id: request.headers['x-socket-id'] })
    return { shipped: orderId }
  })

  return app
}
