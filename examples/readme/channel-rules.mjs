// README, "Channel rules": the sample between the markers, with what it assumes around it.
// Run by test/readme-samples.test.ts.
import assert from 'node:assert'
import Fastify from 'fastify'
import fastifyPusher from 'fastify-pusher'
import { credentials, postForm, signIn } from './assumed.mjs'

const db = { orders: { find: async (id) => ({ id, userId: id === '7' ? 'u1' : 'u2' }) } }
const app = Fastify()
await app.register(fastifyPusher, credentials)
signIn(app, { id: 'u1', name: 'Ada', teams: ['t1'] })

// --- README sample ---
app.pusher.channel('orders.{orderId}', async (request, params, channel) => {
  // params: { orderId: '7' }   channel: { name: 'private-orders.7', type: 'private', socketId: '1234.5678' }
  return request.user?.id === (await db.orders.find(params.orderId)).userId
})
app.pusher.channel('teams.{teamId}.rooms.{roomId}', (request, { teamId, roomId }) =>
  request.user?.teams.includes(teamId) && { user_id: request.user.id, user_info: { name: request.user.name } })
// --- end of README sample ---

assert.equal((await postForm(app, '/pusher/auth', 'socket_id=1.2&channel_name=private-orders.7')).statusCode, 200)
assert.equal((await postForm(app, '/pusher/auth', 'socket_id=1.2&channel_name=private-orders.8')).statusCode, 403)
const member = await postForm(app, '/pusher/auth', 'socket_id=1.2&channel_name=presence-teams.t1.rooms.r1')
assert.deepEqual(JSON.parse(member.json().channel_data), { user_id: 'u1', user_info: { name: 'Ada' } })
assert.equal((await postForm(app, '/pusher/auth', 'socket_id=1.2&channel_name=presence-teams.t2.rooms.r1')).statusCode, 403)
await app.close()
