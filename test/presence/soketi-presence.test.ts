// End to end: pusher-js clients join and leave two presence channels of soketi 1.6.1, whose webhooks
// feed the app's presence store; after every step the store matches what soketi itself says.
import t from 'tap'
import type Pusher from 'pusher-js'
import fastifyPusher from '../../index'
import { checkedFastify } from '../helpers/app'
import { connectClient, nextEvent } from '../helpers/pusher-js'
import { freePort, startSoketi } from '../helpers/soketi'

const CHANNELS = ['presence-room', 'presence-lobby']

t.test('soketi: the store follows pusher-js clients; two tabs are one member; the last tab closed is offline', async (t) => {
  const appPort = await freePort()
  const soketi = await startSoketi({ webhooks: [{ url: `http://127.0.0.1:${appPort}/pusher/events`, event_types: ['member_added', 'member_removed', 'channel_vacated'] }] })
  t.teardown(async () => { await soketi.stop() })
  const app = checkedFastify(t, {}, [soketi.secret])
  t.teardown(async () => { await app.close() })
  await app.register(fastifyPusher, { ...soketi.pusherOptions, presence: true })
  app.pusher.auth(() => true)
  app.pusher.channelData((request) => ({ user_id: String(request.headers['x-user']) }))
  const presence = app.pusher.presence!
  const told: string[] = []
  presence.on('online', ({ userId }) => { told.push(`online ${userId}`) })
  presence.on('offline', ({ userId }) => { told.push(`offline ${userId}`) })
  await app.listen({ host: '127.0.0.1', port: appPort })

  const tab = async (user: string, channels: string[]): Promise<Pusher> => {
    const client = await connectClient(t, soketi, { channelAuthorization: { endpoint: `http://127.0.0.1:${appPort}/pusher/auth`, transport: 'ajax', headers: { 'x-user': user } } })
    await Promise.all(channels.map(async (name) => await nextEvent(client.subscribe(name), 'pusher:subscription_succeeded')))
    return client
  }
  const state = async (source: (channel: string) => Promise<string[]>): Promise<string> =>
    JSON.stringify(await Promise.all(CHANNELS.map(async (channel) => (await source(channel)).sort())))
  const truth = async (): Promise<string> => await state(async (channel) => (await app.pusher.presenceUsers(channel)).map((user) => String(user.id)))
  // soketi sees a closed socket a moment after pusher-js closes it, and its webhooks come after that:
  // wait (at most 10 s each) for soketi, then for the store, to hold `expected`.
  const until = async (read: () => Promise<string>, wanted: string): Promise<string> => {
    let got = await read()
    for (let i = 0; i < 200 && got !== wanted; i++) {
      await new Promise((resolve) => setTimeout(resolve, 50))
      got = await read()
    }
    return got
  }
  const step = async (what: string, expected: string[][]): Promise<void> => {
    const wanted = JSON.stringify(expected.map((ids) => [...ids].sort()))
    t.equal(await until(truth, wanted), wanted, `${what}: soketi says so`)
    t.equal(await until(async () => await state(presence.members), wanted), wanted, `${what}: the store matches`)
  }

  const alice1 = await tab('alice', CHANNELS)
  await step('alice joins both channels', [['alice'], ['alice']])
  const bob = await tab('bob', ['presence-room'])
  await step('bob joins the room', [['alice', 'bob'], ['alice']])
  const alice2 = await tab('alice', ['presence-room'])
  await step('a second tab of alice joins the room', [['alice', 'bob'], ['alice']])
  t.same((await presence.channelsOf('alice')).sort(), [...CHANNELS].sort())

  alice1.disconnect()
  await step('alice closes the first tab', [['alice', 'bob'], []])
  t.same(await presence.channelsOf('alice'), ['presence-room'], 'still in the room, by the second tab')
  t.equal(await presence.isOnline('alice'), true)
  t.same(told.filter((line) => line.endsWith('alice')), ['online alice'], 'no offline yet')

  alice2.disconnect()
  await step('alice closes the last tab', [['bob'], []])
  t.equal(await presence.isOnline('alice'), false)
  t.same(told.filter((line) => line.endsWith('alice')), ['online alice', 'offline alice'], 'offline once')

  // A store that missed every webhook (another app, its webhook routes off) catches up with sync().
  const late = checkedFastify(t, {}, [soketi.secret])
  t.teardown(async () => { await late.close() })
  await late.register(fastifyPusher, { ...soketi.pusherOptions, presence: true, routeOptions: { webhooks: false } })
  t.same(await late.pusher.presence!.members('presence-room'), [])
  t.same(await late.pusher.presence!.sync(), { channels: 1, added: 1, removed: 0 }, 'sync(): the one occupied presence channel')
  t.same(await late.pusher.presence!.members('presence-room'), ['bob'])

  bob.unsubscribe('presence-room')
  await step('bob leaves', [[], []])
  t.same(told.sort(), ['offline alice', 'offline bob', 'online alice', 'online bob'], 'each change told once')
  t.same(await late.pusher.presence!.sync('presence-room'), { channels: 1, added: 0, removed: 1 }, 'sync(channel) removes who left')
  t.same(await late.pusher.presence!.channelsOf('bob'), [])
})
