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

// Typed events declared from an ES module reach the same interface.
declare module 'fastify-pusher' {
  interface PusherEvents { 'esm.event': { n: number } }
  interface PusherApps { eu: true }
}
await app.pusher.trigger('chat', 'esm.event', { n: 1 })
// @ts-expect-error: the data of a declared event is checked
await app.pusher.trigger('chat', 'esm.event', { n: 'one' })
// @ts-expect-error: only declared names
await app.pusher.trigger('chat', 'undeclared', {})

// Named apps declared from an ES module reach the same interface.
await app.register(fastifyPusher, { ...options, name: 'eu', prefix: '/eu' })
await app.pusher.apps.eu.trigger('chat', 'esm.event', { n: 2 })
// @ts-expect-error: only declared app names
await app.register(fastifyPusher, { ...options, name: 'asia', prefix: '/asia' })
// @ts-expect-error: only declared app names
await app.pusher.apps.asia.trigger('chat', 'esm.event', { n: 3 })

// The testing kit from an ES module.
import { pusherTestClient, signWebhook, type SentEvent } from 'fastify-pusher/testing'
const testClient = pusherTestClient({ key: 'k' })
await app.register(fastifyPusher, { client: testClient, prefix: '/tested' })
const sentEvents: SentEvent[] = testClient.sent
const signedHeaders: string = signWebhook({ key: 'k', secret: 's' }, { events: [] }).headers['x-pusher-signature']
export { sentEvents, signedHeaders }
