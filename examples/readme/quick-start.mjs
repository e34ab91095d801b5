// README "Usage": the quick start, as written (`ownerOf` stands for your own data).
// Run and type-checked by test/readme-samples.test.ts.
/* global ownerOf */
import Fastify from 'fastify'
import fastifyPusher from 'fastify-pusher'

const app = Fastify({ logger: true })
await app.register(fastifyPusher, { appId: '123', key: 'key', secret: 'secret', cluster: 'eu' })

// Channel rules: the pattern leaves out private-/presence-/private-encrypted-; params are typed.
app.pusher.channel('orders.{orderId}', async (request, { orderId }) => request.user?.id === await ownerOf(orderId))
app.pusher.channel('chat.{roomId}', (request) => request.user && { user_id: request.user.id, user_info: { name: request.user.name } })
// Or one handler for every channel no rule matches:
app.pusher.auth(async (request, channelName, socketId) => request.user != null)   // true = allow
// pusher-js signin(): who this socket is (and the presence member, when nothing else says)
app.pusher.userAuth(async (request, socketId) => request.user && { id: request.user.id, user_info: { name: request.user.name } })
app.pusher.webhooks.presence(async (request, payload) => { /* payload.events: member_added / member_removed */ })

app.post('/hello', async () => {
  await app.pusher.trigger('chat', 'message', { text: 'hi' })
  return { sent: true }
})
await app.listen({ port: Number(process.env.PORT ?? 3000) })
