// Named apps, typed by declaration merging (a file of its own: the declaration is global to its compilation).
import Fastify from 'fastify'
import { expectError, expectType } from 'tsd'
import fastifyPusher, { type FastifyPusher, type FastifyPusherOptions, type PusherSender, type PusherTenant, type RequestPusher, type TenantCredentials, type TenantLookup, type TriggerResponse } from 'fastify-pusher'

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

// Tenants: forApp by app id, key or lookup; credentials and fromRequest typed.
expectType<Promise<PusherSender>>(app.pusher.forApp('app-1'))
expectType<Promise<PusherSender>>(app.pusher.apps.eu.forApp({ key: 'key-1' }))
expectError(app.pusher.forApp({ appId: '1', key: 'k' }))
expectType<Promise<PusherSender>>(app.pusher.forApp(7))
expectError(app.pusher.forApp(true))
app.pusher.forApp('1').then(async (tenant) => {
  expectType<string>(tenant.appId)
  expectType<string>(tenant.key)
  expectType<Promise<TriggerResponse>>(tenant.trigger('news', 'item', {}))
  expectType<Promise<Record<string, never>>>(tenant.sendToUser('ann', 'e', 1))
  expectType<FastifyPusher['queue']>(tenant.queue)
  expectError(tenant.auth)
})
const credentials = async (lookup: TenantLookup): Promise<TenantCredentials | undefined> =>
  lookup.appId !== undefined ? { appId: lookup.appId, key: 'k', secret: 's', cluster: 'eu' } : undefined
app.register(fastifyPusher, { tenants: { credentials, fromRequest: (request) => request.headers['x-tenant'] as string, cacheMs: 60_000, max: 100 } })
app.register(fastifyPusher, { tenants: { credentials, fromRequest: async () => ({ key: 'k' }) } })
expectError<FastifyPusherOptions>({ tenants: { fromRequest: () => 'x' } })
expectError<FastifyPusherOptions>({ tenants: { credentials: () => ({ appId: '1' }) } })
app.get('/tenant', async (request) => {
  expectType<PusherTenant | undefined>(request.pusher.tenant)
  expectType<string | undefined>(request.pusher.apps.eu.tenant?.appId)
})
