import Fastify from 'fastify'
import fastifyPusher, { type FastifyPusherOptions, PresenceWebhook } from 'fastify-pusher'

const app = Fastify()
await app.register(fastifyPusher, { appId: '1', key: 'k', secret: 's', cluster: 'eu' })
app.pusher.webhooks.presence((request, payload) => payload.events.map((e) => e.user_id)) // typed
