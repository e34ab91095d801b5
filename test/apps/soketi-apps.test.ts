// Two named apps against two apps of one soketi 1.6.1, each with pusher-js clients, sharing one Redis.
import t from 'tap'
import fastifyPusher, { redisDedupeStore } from '../../index'
import { checkedFastify } from '../helpers/app'
import { connectClient, eventually, nextEvent } from '../helpers/pusher-js'
import { startRedis } from '../helpers/redis'
import { freePort, startSoketi } from '../helpers/soketi'

t.test('two named apps, two soketi apps: triggers, auth, webhooks, dedupe marks and queues kept apart', async (t) => {
  const appPort = await freePort()
  const hook = (prefix: string) => [{ url: `http://127.0.0.1:${appPort}${prefix}/events`, event_types: ['channel_occupied'] }]
  const soketi = await startSoketi({ webhooks: hook('/pusher-eu'), apps: [{ appId: 'app-us', key: 'key-us', secret: 'secret-us', webhooks: hook('/pusher-us') }] })
  t.teardown(async () => { await soketi.stop() })
  const redis = await startRedis(t)
  const app = checkedFastify(t, {}, soketi.apps.map((one) => one.secret))
  t.teardown(async () => { await app.close() })
  const [euApp, usApp] = soketi.apps
  for (const [name, soketiApp] of [['eu', euApp], ['us', usApp]] as const) {
    await app.register(fastifyPusher, {
      name,
      ...soketiApp.pusherOptions,
      prefix: `/pusher-${name}`,
      webhookDedupe: { store: redisDedupeStore(redis.client()) },
      queue: { connection: redis.client() }
    })
    app.pusher.apps[name].auth(() => true)
  }
  const occupied: string[] = []
  app.pusher.apps.eu.webhooks.on('channel_occupied', (request, event) => { occupied.push(`eu ${event.channel}`) })
  app.pusher.apps.us.webhooks.on('channel_occupied', (request, event) => { occupied.push(`us ${event.channel}`) })
  await app.listen({ host: '127.0.0.1', port: appPort })
  const authAt = (prefix: string) => ({ channelAuthorization: { endpoint: `http://127.0.0.1:${appPort}${prefix}/auth`, transport: 'ajax' as const } })

  const eu = await connectClient(t, soketi, authAt('/pusher-eu'))
  const us = await connectClient(t, { ...soketi, key: usApp.key }, authAt('/pusher-us'))
  // One channel name in both soketi apps: only the app a trigger is sent to may deliver it.
  const [euNews, usNews] = [eu.subscribe('private-news'), us.subscribe('private-news')]
  await nextEvent(euNews, 'pusher:subscription_succeeded', 'eu\'s subscription, signed by /pusher-eu/auth with eu\'s secret')
  await nextEvent(usNews, 'pusher:subscription_succeeded', 'us\'s subscription, signed by /pusher-us/auth with us\'s secret')
  const crossed = await connectClient(t, { ...soketi, key: usApp.key }, authAt('/pusher-eu'))
  const refused = await nextEvent(crossed.subscribe('private-x'), 'pusher:subscription_error', 'a us client signed by eu\'s route')
  t.ok(refused, 'another app\'s route signs with another secret: soketi refuses the subscription')

  await eventually(() => occupied.length >= 2, `the channel_occupied webhooks (${occupied.join()})`)
  t.same(occupied.sort(), ['eu private-news', 'us private-news'], 'each app\'s webhooks reach its own handlers (the refused subscription occupied nothing)')
  const marks = (await redis.client().keys('fastify-pusher:webhook:*')).map((key) => key.split(':')[2]).sort()
  t.same([...new Set(marks)], ['eu', 'us'], 'each app\'s dedupe marks under its name')

  const saw: Record<'eu' | 'us', string[]> = { eu: [], us: [] }
  for (const [name, news] of [['eu', euNews], ['us', usNews]] as const) {
    for (const event of ['item', 'queued', 'last']) news.bind(event, (data: { n: number }) => { saw[name].push(`${event} ${data.n}`) })
  }
  const got = nextEvent(euNews, 'item', 'eu\'s trigger')
  await app.pusher.apps.eu.trigger('private-news', 'item', { n: 1 })
  t.same(await got, { n: 1 })
  const queued = nextEvent(usNews, 'queued', 'us\'s queued trigger, sent by us\'s worker')
  await app.pusher.apps.us.queue.trigger('private-news', 'queued', { n: 2 })
  t.same(await queued, { n: 2 })
  const queuedEu = nextEvent(euNews, 'queued', 'eu\'s queued trigger')
  await app.pusher.apps.eu.queue.trigger('private-news', 'queued', { n: 3 })
  t.same(await queuedEu, { n: 3 })
  // A last event to each, in order on each connection: whatever reached the wrong app came before it.
  const last = [nextEvent(euNews, 'last', 'eu\'s last'), nextEvent(usNews, 'last', 'us\'s last')]
  await Promise.all([app.pusher.apps.eu.trigger('private-news', 'last', { n: 4 }), app.pusher.apps.us.trigger('private-news', 'last', { n: 5 })])
  await Promise.all(last)
  t.same(saw, { eu: ['item 1', 'queued 3', 'last 4'], us: ['queued 2', 'last 5'] }, 'each client saw its own app\'s triggers only')
  const queues = (await redis.client().keys('bull:*:meta')).sort()
  t.same(queues, ['bull:fastify-pusher-eu:meta', 'bull:fastify-pusher-us:meta'], 'a queue per app')
})
