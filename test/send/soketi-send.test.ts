// End to end: sending through soketi to pusher-js clients: auto-batching under load,
// request.pusher leaving the sender out, and a refused call that rejects.
import type { FastifyInstance } from 'fastify'
import { checkedFastify } from '../helpers/app'
import t from 'tap'
import fastifyPusher from '../../index'
import { connectClient, eventually, nextEvent, senderAndOther } from '../helpers/pusher-js'
import { freePort, startSoketi, type Soketi } from '../helpers/soketi'

let soketi: Soketi
let app: FastifyInstance
let base: string

const pusherOptions = (secret?: string) => ({ ...soketi.pusherOptions, secret: secret ?? soketi.secret })

t.before(async () => {
  soketi = await startSoketi()
  app = checkedFastify(t, {}, [soketi.secret])
  await app.register(fastifyPusher, pusherOptions())
  app.post('/orders/:id/ship', async (request) => {
    await request.pusher.trigger('orders', 'shipped', { id: (request.params as { id: string }).id })
    return { shipped: true }
  })
  const port = await freePort()
  await app.listen({ host: '127.0.0.1', port })
  base = `http://127.0.0.1:${port}`
})

t.teardown(async () => {
  await app?.close()
  await soketi?.stop()
})

t.test('1,000 concurrent triggers (50 callers x 20) are all received, in order per caller', async (t) => {
  const client = await connectClient(t, soketi)
  const channel = client.subscribe('load')
  await nextEvent(channel, 'pusher:subscription_succeeded')
  const received: Array<{ caller: number, n: number }> = []
  channel.bind('tick', (data: { caller: number, n: number }) => { received.push(data) })
  await Promise.all(Array.from({ length: 50 }, async (_, caller) => {
    for (let n = 0; n < 20; n++) await app.pusher.trigger('load', 'tick', { caller, n })
  }))
  await eventually(() => received.length >= 1000, `1000 events (got ${received.length})`)
  t.equal(received.length, 1000, 'every event, none twice')
  for (let caller = 0; caller < 50; caller++) {
    const sequence = received.filter((event) => event.caller === caller).map((event) => event.n)
    t.same(sequence, Array.from({ length: 20 }, (_, n) => n), `caller ${caller} in order`)
  }
})

t.test('request.pusher.trigger from a request carrying X-Socket-ID reaches another client and not the sender', async (t) => {
  const { sender, senderChannel, otherChannel } = await senderAndOther(t, soketi, 'orders')
  const senderGot: unknown[] = []
  senderChannel.bind('shipped', (data: unknown) => { senderGot.push(data) })
  const otherGot = nextEvent(otherChannel, 'shipped')
  const res = await fetch(`${base}/orders/7/ship`, { method: 'POST', headers: { 'x-socket-id': sender.connection.socket_id } })
  t.same(await res.json(), { shipped: true })
  t.same(await otherGot, { id: '7' })
  const marker = nextEvent(senderChannel, 'marker')
  await app.pusher.trigger('orders', 'marker', {})
  await marker
  t.same(senderGot, [], 'the sender did not get its own event')
})

t.test('a wrong secret: trigger, triggerBatch and sendToUser reject with FST_PUSHER_API_ERROR', async (t) => {
  const wrong = checkedFastify(t, {}, [soketi.secret, 'not-the-secret'])
  t.teardown(async () => { await wrong.close() })
  await wrong.register(fastifyPusher, pusherOptions('not-the-secret'))
  for (const send of [
    async () => await wrong.pusher.trigger('chat', 'e', 1),
    async () => await wrong.pusher.trigger(['a', 'b'], 'e', 1),
    async () => await wrong.pusher.triggerBatch([{ channel: 'chat', name: 'e', data: 1 }]),
    async () => await wrong.pusher.sendToUser('ann', 'e', 1)
  ]) {
    await t.rejects(send, { code: 'FST_PUSHER_API_ERROR', statusCode: 401 })
  }
})
