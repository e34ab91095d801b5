// README, "Laravel Echo": the sample between the markers, with what it assumes around it.
// Run by test/readme-samples.test.ts.
import assert from 'node:assert'
import Fastify from 'fastify'
import fastifyPusher from 'fastify-pusher'
import { credentials, postForm, signIn } from './assumed.mjs'

const orders = new Map([['7', { ownerId: 'u1' }]])
const app = Fastify()
signIn(app, { id: 'u1', name: 'Ada' })

// --- README sample ---
await app.register(fastifyPusher, { ...credentials, prefix: '/broadcasting' })
// serves POST /broadcasting/auth (Echo's authEndpoint) and POST /broadcasting/user-auth (its userAuthentication endpoint)

// routes/channels.php, as channel rules: Echo's private('orders.7') and encryptedPrivate('orders.7') both land here
app.pusher.channel('orders.{orderId}', (request, { orderId }) => request.user?.id === orders.get(orderId)?.ownerId)
// join('chat.lobby'): the returned object is the member; here(), joining() and leaving() get its user_info
app.pusher.channel('chat.{roomId}', (request) => request.user && { user_id: request.user.id, user_info: { name: request.user.name } })
// --- end of README sample ---

assert.equal((await postForm(app, '/broadcasting/auth', 'socket_id=1.2&channel_name=private-orders.7')).statusCode, 200)
assert.equal((await postForm(app, '/broadcasting/auth', 'socket_id=1.2&channel_name=private-orders.8')).statusCode, 403)
const member = await postForm(app, '/broadcasting/auth', 'socket_id=1.2&channel_name=presence-chat.lobby')
assert.deepEqual(JSON.parse(member.json().channel_data), { user_id: 'u1', user_info: { name: 'Ada' } })
await app.close()
