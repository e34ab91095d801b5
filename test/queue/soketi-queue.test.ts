// Durable sending end to end: the queue's worker (in the app) sends through soketi 1.6.1 to pusher-js
// clients. request.pusher.queue stores the request's X-Socket-ID, and soketi leaves that socket out
// when the worker sends; queue.triggerBatch and queue.sendToUser are received too.
import type { FastifyInstance } from 'fastify'
import t from 'tap'
import fastifyPusher from '../../index'
import { checkedFastify } from '../helpers/app'
import { connectClient, eventually, nextEvent, senderAndOther } from '../helpers/pusher-js'
import { startRedis } from '../helpers/redis'
import { freePort, startSoketi, type Soketi } from '../helpers/soketi'
import { until } from '../helpers/until'

let soketi: Soketi
let app: FastifyInstance
let base: string

t.before(async () => {
  soketi = await startSoketi()
  t.teardown(async () => { await soketi.stop() })
  const redis = await startRedis(t)
  app = checkedFastify(t, {}, [soketi.secret]) // closed first (tap's teardowns run last in, first out), then Redis, then soketi
  await app.register(fastifyPusher, { ...soketi.pusherOptions, queue: { connection: redis.client() } })
  app.pusher.userAuth((request) => ({ id: String(request.headers['x-user']) }))
  app.post('/orders/:id/ship', async (request) => {
    const { id } = await request.pusher.queue.trigger('orders', 'shipped', { id: (request.params as { id: string }).id }) as { id: string }
    return { queued: id }
  })
  app.post('/orders/batch', async (request) => {
    const { ids } = await request.pusher.queue.triggerBatch([{ channel: 'orders', name: 'packed', data: { n: 1 } }, { channel: 'orders', name: 'packed', data: { n: 2 } }])
    return { queued: ids }
  })
  const port = await freePort()
  await app.listen({ host: '127.0.0.1', port })
  base = `http://127.0.0.1:${port}`
})

t.test('request.pusher.queue from a request carrying X-Socket-ID: the worker\'s send reaches another client and not the sender', async (t) => {
  const { sender, senderChannel, otherChannel } = await senderAndOther(t, soketi, 'orders')
  const senderGot: unknown[] = []
  senderChannel.bind('shipped', (data: unknown) => { senderGot.push(data) })
  senderChannel.bind('packed', (data: unknown) => { senderGot.push(data) })
  const shipped = nextEvent(otherChannel, 'shipped')
  const packed: unknown[] = []
  otherChannel.bind('packed', (data: unknown) => { packed.push(data) })
  const headers = { 'x-socket-id': sender.connection.socket_id }

  const res = await fetch(`${base}/orders/7/ship`, { method: 'POST', headers })
  t.match(await res.json(), { queued: /\S/ }, 'stored: its id')
  t.same(await shipped, { id: '7' }, 'the other client got it from the worker')
  const batch = await fetch(`${base}/orders/batch`, { method: 'POST', headers })
  t.equal(((await batch.json()) as { queued: string[] }).queued.length, 2, 'an id per event')
  await eventually(() => packed.length >= 2, 'both packed events')

  // Sent directly once the queued events were received: each client gets it after anything sent before it.
  const markers = Promise.all([nextEvent(senderChannel, 'marker'), nextEvent(otherChannel, 'marker')])
  await app.pusher.trigger('orders', 'marker', {})
  await markers
  t.same(packed.map((data) => (data as { n: number }).n).sort(), [1, 2], 'the batch received by the other client, each event once')
  t.same(senderGot, [], 'the sender got none of its own queued events')
  // A job is marked done after the API's answer, which may come after the clients got its events.
  await until(async () => (await app.pusher.queue.counts()).active === 0, 'the jobs marked done')
  t.same(await app.pusher.queue.counts(), { waiting: 0, active: 0, delayed: 0, failed: 0, paused: 0 })
})

t.test('queue.sendToUser reaches the signed-in user through soketi', async (t) => {
  const user = await connectClient(t, soketi, { userAuthentication: { endpoint: `${base}/pusher/user-auth`, transport: 'ajax', headers: { 'x-user': 'u-7' } } })
  user.signin()
  await user.user.signinDonePromise
  t.equal(user.user.user_data?.id, 'u-7', 'signed in')
  const got = nextEvent(user.user, 'note')
  t.match(await app.pusher.queue.sendToUser('u-7', 'note', { hi: 1 }), { id: /\S/ })
  t.same(await got, { hi: 1 })
})
