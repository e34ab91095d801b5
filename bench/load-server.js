'use strict'
// The server of `npm run load`, in its own process: fastify-pusher on 127.0.0.1, a
// member_added handler that counts its calls (and, with FAIL_EVERY=n, throws on every
// n-th), auth handlers that allow everything. Answers { calls, rss } on IPC 'stats'.
const Fastify = require('fastify')
const fastifyPusher = require('fastify-pusher')
const { credentials } = require('./cases')

async function main () {
  const failEvery = Number(process.env.FAIL_EVERY ?? 0)
  const app = Fastify()
  await app.register(fastifyPusher, credentials)
  let calls = 0
  app.pusher.webhooks.on('member_added', () => {
    calls++
    if (failEvery > 0 && calls % failEvery === 0) throw new Error('every n-th call fails')
  })
  app.pusher.auth(() => true)
  app.pusher.channelData((request, channel, socketId) => ({ user_id: socketId }))
  await app.listen({ host: '127.0.0.1', port: 0 })
  process.on('message', (message) => {
    if (message === 'stats') process.send({ calls, rss: process.memoryUsage().rss })
  })
  process.send({ port: app.server.address().port, rss: process.memoryUsage().rss })
  process.on('disconnect', () => { app.close().then(() => process.exit(0)) })
}

main().catch((error) => { console.error(error); process.exit(1) })
