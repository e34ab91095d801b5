// Named apps, typed by declaration merging (a file of its own: the declaration is global to its compilation).
import Fastify from 'fastify'
import { expectError, expectType } from 'tsd'
import fastifyPusher, { type FastifyPusher, type FastifyPusherOptions, type RequestPusher, type TriggerResponse } from 'fastify-pusher'

declare module 'fastify-pusher' {
  interface PusherApps {
    eu: true
    us: true
  }
}

const app = Fastify()
app.register(fastifyPusher, { name: 'eu', appId: '1', key: 'k', secret: 's', prefix: '/pusher-eu' })
expectError<FastifyPusherOptions>({ name: 'asia' })
expectType<FastifyPusher>(app.pusher.apps.eu)
expectType<FastifyPusher>(app.pusher.apps.us)
expectError(app.pusher.apps.asia)
expectType<Promise<TriggerResponse>>(app.pusher.apps.eu.trigger('news', 'item', { n: 1 }))
app.get('/', async (request) => {
  expectType<RequestPusher>(request.pusher.apps.us)
  expectError(request.pusher.apps.asia)
  await request.pusher.apps.eu.trigger('news', 'item', {})
})
