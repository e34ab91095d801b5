// End to end: soketi with webhook batching on posts each batch to every URL configured
// for any of its events; every event still reaches its on() handler exactly once.
import { checkedFastify } from '../helpers/app'
import t from 'tap'
import fastifyPusher from '../../index'
import { connectClient, eventually, nextEvent } from '../helpers/pusher-js'
import { freePort, startSoketi } from '../helpers/soketi'

t.test('soketi with SOKETI_WEBHOOKS_BATCHING: each event reaches the right on() handler once', async (t) => {
  const appPort = await freePort()
  const base = `http://127.0.0.1:${appPort}/pusher/events`
  const soketi = await startSoketi({
    webhooksBatching: true,
    webhooks: [
      { url: `${base}/channel_existence`, event_types: ['channel_occupied', 'channel_vacated'] },
      { url: `${base}/presence`, event_types: ['member_added', 'member_removed'] },
      { url: base, event_types: ['client_event'] }
    ]
  })
  t.teardown(async () => { await soketi.stop() })
  const app = checkedFastify(t, {}, [soketi.secret])
  t.teardown(async () => { await app.close() })
  await app.register(fastifyPusher, soketi.pusherOptions)
  app.pusher.auth(() => true)
  app.pusher.channelData((request) => ({ user_id: String(request.headers['x-user']) }))
  const received: Record<string, any[]> = {}
  const deliveries: Array<{ url: string, status: number, signature: string }> = []
  app.addHook('onResponse', async (request, reply) => {
    if (request.url.startsWith('/pusher/events')) deliveries.push({ url: request.url, status: reply.statusCode, signature: String(request.headers['x-pusher-signature']) })
  })
  for (const name of ['channel_occupied', 'channel_vacated', 'member_added', 'member_removed', 'client_event'] as const) {
    received[name] = []
    app.pusher.webhooks.on(name, (request, event) => { received[name].push(event) })
  }
  await app.listen({ host: '127.0.0.1', port: appPort })
  const as = (user: string) => ({ channelAuthorization: { endpoint: `http://127.0.0.1:${appPort}/pusher/auth`, transport: 'ajax' as const, headers: { 'x-user': user } } })

  const alice = await connectClient(t, soketi, as('alice'))
  const aliceRoom = alice.subscribe('presence-room')
  await nextEvent(aliceRoom, 'pusher:subscription_succeeded')
  const bob = await connectClient(t, soketi, as('bob'))
  const bobRoom = bob.subscribe('presence-room')
  await nextEvent(bobRoom, 'pusher:subscription_succeeded')
  const wave = nextEvent(aliceRoom, 'client-wave')
  bobRoom.trigger('client-wave', { hi: 1 })
  await wave
  bob.disconnect()
  await eventually(() => received.member_removed.length === 1, 'member_removed of bob')
  alice.disconnect()
  const counts = (): number[] => ['channel_occupied', 'member_added', 'client_event', 'member_removed', 'channel_vacated'].map((name) => received[name].length)
  await eventually(() => counts().join() === '1,2,1,2,1', 'every webhook event')
  // Batches go to every URL: give any late copy time to arrive (soketi batches over 50 ms).
  await new Promise((resolve) => setTimeout(resolve, 500))
  t.same(counts(), [1, 2, 1, 2, 1], 'each event once, though batches reached several URLs')
  const urlsOf = (signature: string): number => new Set(deliveries.filter((one) => one.signature === signature).map((one) => one.url)).size
  t.ok(deliveries.some((one) => urlsOf(one.signature) > 1), `one batch was posted to several URLs: ${deliveries.map((one) => `${one.url} ${one.signature.slice(0, 8)}`).join(', ')}`)
  t.ok(deliveries.every((one) => one.status === 200), 'every delivery answered 200')
  t.same(received.member_added.map((event) => event.user_id).sort(), ['alice', 'bob'])
  t.same(received.client_event.map(({ name, channel, event, data, user_id: userId }) => ({ name, channel, event, data, userId })), [
    { name: 'client_event', channel: 'presence-room', event: 'client-wave', data: '{"hi":1}', userId: 'bob' }
  ], 'soketi sends data as an object: handed over as Pusher\'s JSON text')
  t.same(received.channel_vacated.map((event) => event.channel), ['presence-room'])
})
