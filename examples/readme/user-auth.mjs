// README, "User sign-in": the sample between the markers, with what it assumes around it.
// Run by test/readme-samples.test.ts.
import assert from 'node:assert'
import Fastify from 'fastify'
import fastifyPusher from 'fastify-pusher'
import { credentials, postForm, signIn } from './assumed.mjs'

const app = Fastify()
await app.register(fastifyPusher, credentials)
signIn(app, { id: 'u1', name: 'Ada', friendIds: ['u2'] })

// --- README sample ---
app.pusher.userAuth(async (request, socketId) => {
  if (request.user == null) return null                               // 403
  return { id: request.user.id, user_info: { name: request.user.name }, watchlist: request.user.friendIds }
})
// --- end of README sample ---

const res = await postForm(app, '/pusher/user-auth', 'socket_id=1.2')
assert.equal(res.statusCode, 200)
assert.deepEqual(JSON.parse(res.json().user_data), { id: 'u1', user_info: { name: 'Ada' }, watchlist: ['u2'] })
await app.close()
