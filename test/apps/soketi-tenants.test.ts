// Tenants against three apps of one soketi 1.6.1, with pusher-js clients: one registration signs each
// tenant's subscriptions with its own secret (the tenant named by a header pusher-js sends), checks each
// tenant's webhooks with its own secret, and forApp() sends to that tenant's clients only. An unknown
// tenant is a failed subscription (404).
import t from 'tap'
import fastifyPusher, { type TenantCredentials } from '../../index'
import { checkedFastify } from '../helpers/app'
import { connectClient, eventually, nextEvent } from '../helpers/pusher-js'
import { freePort, startSoketi } from '../helpers/soketi'

t.test('three soketi apps, one registration: auth, webhooks and sends, each with its tenant\'s credentials', async (t) => {
  const appPort = await freePort()
  const hooks = [{ url: `http://127.0.0.1:${appPort}/pusher/events`, event_types: ['channel_occupied'] }]
  const soketi = await startSoketi({
    webhooks: hooks,
    apps: [{ appId: 'tenant-b', key: 'key-b', secret: 'secret-b', webhooks: hooks }, { appId: 'tenant-c', key: 'key-c', secret: 'secret-c', webhooks: hooks }]
  })
  t.teardown(async () => { await soketi.stop() })
  const byId = new Map<string, TenantCredentials>(soketi.apps.map((one) => [one.appId, { ...one.pusherOptions, appId: one.appId }]))
  const app = checkedFastify(t, {}, soketi.apps.map((one) => one.secret))
  t.teardown(async () => { await app.close() })
  await app.register(fastifyPusher, {
    tenants: {
      credentials: ({ appId, key }) => appId !== undefined ? byId.get(appId) : [...byId.values()].find((one) => one.key === key),
      fromRequest: (request) => request.headers['x-tenant'] as string | undefined
    }
  })
  app.pusher.channel('news', () => true)
  const occupied: string[] = []
  app.pusher.webhooks.on('channel_occupied', (request, event) => { occupied.push(`${request.pusher.tenant?.appId} ${event.channel}`) })
  await app.listen({ host: '127.0.0.1', port: appPort })
  const clientOf = async (key: string, tenant: string) => await connectClient(t, { ...soketi, key }, {
    channelAuthorization: { endpoint: `http://127.0.0.1:${appPort}/pusher/auth`, transport: 'ajax' as const, headers: { 'x-tenant': tenant } }
  })

  const channels = []
  for (const one of soketi.apps) {
    const client = await clientOf(one.key, one.appId)
    const channel = client.subscribe('private-news')
    await nextEvent(channel, 'pusher:subscription_succeeded', `${one.appId}'s subscription, signed with its secret`)
    channels.push(channel)
  }
  const stranger = await clientOf(soketi.apps[1].key, 'tenant-z')
  const refused = await nextEvent(stranger.subscribe('private-news'), 'pusher:subscription_error', 'an unknown tenant')
  t.match(refused, { status: 404 }, 'pusher-js shows a failed subscription, status 404')

  await eventually(() => occupied.length >= 3, `the channel_occupied webhooks (${occupied.join()})`)
  t.same(occupied.sort(), soketi.apps.map((one) => `${one.appId} private-news`).sort(), 'each tenant\'s webhook, checked with its own secret, says whose it is')

  const saw: string[][] = channels.map(() => [])
  channels.forEach((channel, i) => { channel.bind('item', (data: { to: string }) => { saw[i].push(data.to) }) })
  const got = nextEvent(channels[2], 'item', 'tenant-c\'s trigger')
  await (await app.pusher.forApp('tenant-c')).trigger('private-news', 'item', { to: 'c' })
  await got
  const gotB = nextEvent(channels[1], 'item', 'tenant-b\'s trigger, by its key')
  await (await app.pusher.forApp('key-b')).trigger('private-news', 'item', { to: 'b' })
  await gotB
  t.same(saw, [[], ['b'], ['c']], 'each trigger reached its own tenant\'s clients only')
  t.match(await (await app.pusher.forApp('tenant-b')).channelInfo('private-news', { info: 'subscription_count' }), { occupied: true, subscription_count: 1 }, 'a query, as tenant-b')
})
