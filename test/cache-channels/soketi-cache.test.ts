// Cache channels end to end: soketi 1.6.1 sends cache_miss (to the client, and as a webhook) when a
// pusher-js client subscribes to a cache channel that has no cached event; the plugin's loader
// publishes the state, the client gets it, and the next subscriber gets it from soketi's cache.
import t from 'tap'
import fastifyPusher from '../../index'
import { checkedFastify } from '../helpers/app'
import { connectClient, nextEvent } from '../helpers/pusher-js'
import { freePort, startSoketi } from '../helpers/soketi'

t.test('soketi: a subscription to an empty cache channel is answered by the loader, once', async (t) => {
  const appPort = await freePort()
  const soketi = await startSoketi({ webhooks: [{ url: `http://127.0.0.1:${appPort}/pusher/events/cache_miss`, event_types: ['cache_miss'] }] })
  t.teardown(async () => { await soketi.stop() })
  const app = checkedFastify(t, {}, [soketi.secret])
  t.teardown(async () => { await app.close() })
  await app.register(fastifyPusher, soketi.pusherOptions)
  const loads: string[] = []
  app.pusher.cacheChannel('orders.{orderId}', ({ orderId }) => {
    loads.push(orderId)
    return { event: 'order.state', data: { id: orderId, status: 'shipped' } }
  })
  await app.listen({ host: '127.0.0.1', port: appPort })

  const first = await connectClient(t, soketi)
  const channel = first.subscribe('cache-orders.7')
  const missed = nextEvent(channel, 'pusher:cache_miss', 'the cache miss, told to the client')
  const state = nextEvent(channel, 'order.state', 'the state the loader published')
  await missed
  t.same(await state, { id: '7', status: 'shipped' }, 'the first subscriber gets the state')
  t.same(loads, ['7'])

  const second = await connectClient(t, soketi)
  const cached = nextEvent(second.subscribe('cache-orders.7'), 'order.state', 'the cached state')
  t.same(await cached, { id: '7', status: 'shipped' }, 'the next subscriber gets it from soketi\'s cache')
  await new Promise((resolve) => setTimeout(resolve, 300)) // a second webhook, were one sent, would have come
  t.same(loads, ['7'], 'loaded once')
})
