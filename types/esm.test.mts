// An ESM TypeScript consumer (module nodenext): `tsc -p types/tsconfig.esm.json` must pass.
import Fastify from 'fastify'
import fastifyPusher, { fastifyPusher as named, PresenceWebhook, type FastifyPusherOptions } from 'fastify-pusher'

const app = Fastify()
const options: FastifyPusherOptions = { appId: '1', key: 'k', secret: 's' }
await app.register(fastifyPusher, options)
await app.register(named, { ...options, prefix: '/other' })
const key: string = app.pusher.key
const schemaType: string = PresenceWebhook.type
export { key, schemaType }
