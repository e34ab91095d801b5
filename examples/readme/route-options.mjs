// README, "Route options": the sample between the markers, with what it assumes around it.
// Run by test/readme-samples.test.ts.
import assert from 'node:assert'
import Fastify from 'fastify'
import fastifyPusher from 'fastify-pusher'
import { credentials, postForm } from './assumed.mjs'

const app = Fastify()
// Your authentication: here every request carrying a token.
app.decorate('authenticate', async (request, reply) => {
  if (request.headers.authorization === undefined) await reply.code(401).send({ error: 'sign in' })
})

// --- README sample ---
import rateLimit from '@fastify/rate-limit'

await app.register(rateLimit, { global: false })   // before the plugin
await app.register(fastifyPusher, {
  ...credentials,
  routeOptions: {
    auth: { config: { rateLimit: { max: 60, timeWindow: '1 minute' } }, tags: ['realtime'] },
    userAuth: { onRequest: app.authenticate },
    webhooks: { hide: true }
  }
})
// --- end of README sample ---

app.pusher.auth(() => true)
app.pusher.userAuth(() => ({ id: 'u1' }))
assert.equal((await postForm(app, '/pusher/user-auth', 'socket_id=1.2')).statusCode, 401, 'userAuth runs your hook')
const limited = await postForm(app, '/pusher/auth', 'socket_id=1.2&channel_name=private-a')
assert.equal(limited.statusCode, 200)
assert.equal(limited.headers['x-ratelimit-limit'], '60')
await app.close()
