// A CommonJS JavaScript consumer checked by TypeScript (checkJs): require() is the plugin.
'use strict'
const Fastify = require('fastify')
const fastifyPusher = require('fastify-pusher')
const { fastifyPusher: named, PresenceWebhook } = require('fastify-pusher')
const { pusherTestClient } = require('fastify-pusher/testing')

async function main () {
  const app = Fastify()
  await app.register(fastifyPusher, { appId: '1', key: 'k', secret: 's' })
  await app.register(fastifyPusher.default, { appId: '1', key: 'k', secret: 's', prefix: '/default' })
  await app.register(named, { client: pusherTestClient(), prefix: '/named' })
  // @ts-expect-error: the options are checked
  await app.register(fastifyPusher, { appId: 1n })
  /** @type {string} */
  const key = app.pusher.key
  /** @type {fastifyPusher.FastifyPusherOptions} */
  const options = { appId: '1' }
  console.log(key, options, PresenceWebhook.type)
}
module.exports = { main }
