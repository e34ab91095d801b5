// End to end: the plugin against soketi (a real Pusher-protocol server) and pusher-js clients.
import type { FastifyInstance } from 'fastify'
import t from 'tap'
import fastifyPusher from '../index'
import { checkedFastify, MASTER_KEY } from './helpers/app'
import { connectClient, eventually, nextEvent, senderAndOther } from './helpers/pusher-js'
import { freePort, startSoketi, type Soketi } from './helpers/soketi'
// pusher-js-auth batches auth requests through pusher-js's `authorizer` option.
import PusherBatchAuthorizer = require('pusher-js-auth')

let soketi: Soketi
let app: FastifyInstance
let authUrl: string
const webhooks: Record<string, any[]> = { channelExistence: [], presence: [], client: [] }
let authRequests = 0
let lastAuthAnswer = ''

t.before(async () => {
  const appPort = await freePort()
  const base = `http://127.0.0.1:${appPort}/pusher/events`
  soketi = await startSoketi({
    webhooks: [
      { url: `${base}/channel_existence`, event_types: ['channel_occupied', 'channel_vacated'] },
      { url: `${base}/presence`, event_types: ['member_added', 'member_removed'] },
      { url: `${base}/client`, event_types: ['client_event'] }
    ]
  })
  app = checkedFastify(t, {}, [soketi.secret])
  app.addHook('onRequest', async (request) => { if (request.url === '/pusher/auth') authRequests++ })
  app.addHook('onSend', async (request, reply, payload) => {
    if (request.url === '/pusher/auth') lastAuthAnswer = String(payload)
    return payload
  })
  await app.register(fastifyPusher, { ...soketi.pusherOptions, encryptionMasterKeyBase64: MASTER_KEY })
  // Users come from a header here; a real app would use its session.
  app.pusher.auth((request, channelName) => request.headers['x-user'] !== undefined && !channelName.includes('refused'))
  app.pusher.channelData((request) => ({ user_id: String(request.headers['x-user']), user_info: { name: `Name of ${String(request.headers['x-user'])}` } }))
  app.pusher.webhooks.channelExistence((request, payload) => { webhooks.channelExistence.push(...payload.events) })
  app.pusher.webhooks.presence((request, payload) => { webhooks.presence.push(...payload.events) })
  app.pusher.webhooks.client((request, payload) => { webhooks.client.push(...payload.events) })
  await app.listen({ host: '127.0.0.1', port: appPort })
  authUrl = `http://127.0.0.1:${appPort}/pusher/auth`
})

t.teardown(async () => {
  await app?.close()
  await soketi?.stop()
})

const as = (user: string) => ({ channelAuthorization: { endpoint: authUrl, transport: 'ajax' as const, headers: { 'x-user': user } } })

t.test('a public channel receives an event sent with app.pusher.trigger', async (t) => {
  const client = await connectClient(t, soketi)
  const channel = client.subscribe('news')
  await nextEvent(channel, 'pusher:subscription_succeeded')
  const received = nextEvent(channel, 'headline')
  await app.pusher.trigger('news', 'headline', { text: 'hi' })
  t.same(await received, { text: 'hi' })
})

t.test('private channels: allowed, refused, and a signature made for another socket', async (t) => {
  const client = await connectClient(t, soketi, as('ann'))
  const allowed = client.subscribe('private-room')
  await nextEvent(allowed, 'pusher:subscription_succeeded')
  const received = nextEvent(allowed, 'note')
  await app.pusher.trigger('private-room', 'note', 'private hello')
  t.equal(await received, 'private hello')

  const refused = client.subscribe('private-refused')
  const error = await nextEvent(refused, 'pusher:subscription_error')
  t.equal(error.status, 403, 'the auth route said no')

  // A valid signature, but for another socket id: soketi must refuse it.
  const other = await app.inject({ method: 'POST', url: '/pusher/auth', payload: { socket_id: '1234.5678', channel_name: 'private-stolen' }, headers: { 'x-user': 'ann' } })
  t.equal(other.statusCode, 200)
  const thief = await connectClient(t, soketi, {
    channelAuthorization: { endpoint: authUrl, transport: 'ajax', customHandler: (params, callback) => { callback(null, other.json()) } }
  })
  const stolen = thief.subscribe('private-stolen')
  const soketiError = await nextEvent(stolen, 'pusher:subscription_error')
  t.equal(soketiError.type, 'AuthError')
  t.equal(soketiError.status, 401)
})

t.test('presence: two users see each other, with user_info', async (t) => {
  const ann = await connectClient(t, soketi, as('ann'))
  const bob = await connectClient(t, soketi, as('bob'))
  const annChannel: any = ann.subscribe('presence-lobby')
  await nextEvent(annChannel, 'pusher:subscription_succeeded')
  const bobJoined = nextEvent(annChannel, 'pusher:member_added')
  const bobChannel: any = bob.subscribe('presence-lobby')
  const members = await nextEvent(bobChannel, 'pusher:subscription_succeeded')
  t.same((await bobJoined), { id: 'bob', info: { name: 'Name of bob' } })
  t.equal(members.count, 2)
  t.same(members.get('ann'), { id: 'ann', info: { name: 'Name of ann' } })
  t.same(members.me, { id: 'bob', info: { name: 'Name of bob' } })
})

t.test('an encrypted channel: the client decrypts what the app triggered', async (t) => {
  const client = await connectClient(t, soketi, as('ann'))
  const channel = client.subscribe('private-encrypted-vault')
  await nextEvent(channel, 'pusher:subscription_succeeded')
  const received = nextEvent(channel, 'secret')
  await app.pusher.trigger('private-encrypted-vault', 'secret', { code: 42, word: 'naïve' })
  t.same(await received, { code: 42, word: 'naïve' })
})

t.test('batch auth with pusher-js-auth: one request, one channel refused', async (t) => {
  const client = await connectClient(t, soketi, {
    authorizer: PusherBatchAuthorizer as any,
    authEndpoint: authUrl,
    auth: { headers: { 'x-user': 'ann' } },
    authDelay: 200
  } as any)
  const before = authRequests
  const names = ['private-batch-a', 'private-batch-refused', 'private-batch-c']
  const outcomes = names.map(async (name) => {
    const channel = client.subscribe(name)
    return await Promise.race([
      nextEvent(channel, 'pusher:subscription_succeeded').then(() => 'ok'),
      nextEvent(channel, 'pusher:subscription_error').then((error) => `error ${String(error.type)}`)
    ])
  })
  t.same(await Promise.all(outcomes), ['ok', 'error AuthError', 'ok'])
  t.equal(authRequests - before, 1, 'one HTTP request for the three channels')
  // pusher-js-auth passes no status on to pusher-js; the answer it got says 403.
  const answer = JSON.parse(lastAuthAnswer)
  t.same(Object.keys(answer), names)
  t.same(answer['private-batch-refused'], { status: 403 })
  t.equal(answer['private-batch-a'].status, 200)
})

t.test('webhooks: soketi delivers signed events to the three routes', async (t) => {
  const ann = await connectClient(t, soketi, as('ann'))
  const bob = await connectClient(t, soketi, as('bob'))
  const hooked = ann.subscribe('private-hooked')
  await nextEvent(hooked, 'pusher:subscription_succeeded')
  await eventually(() => webhooks.channelExistence.some((e) => e.name === 'channel_occupied' && e.channel === 'private-hooked'), 'channel_occupied webhook')

  const annLobby = ann.subscribe('presence-hooks')
  await nextEvent(annLobby, 'pusher:subscription_succeeded')
  const bobLobby: any = bob.subscribe('presence-hooks')
  await nextEvent(bobLobby, 'pusher:subscription_succeeded')
  await eventually(() => webhooks.presence.some((e) => e.name === 'member_added' && e.channel === 'presence-hooks' && e.user_id === 'bob'), 'member_added webhook')

  const bobHooked = bob.subscribe('private-hooked')
  await nextEvent(bobHooked, 'pusher:subscription_succeeded')
  bobHooked.trigger('client-typing', { on: true })
  await eventually(() => webhooks.client.some((e) => e.name === 'client_event' && e.event === 'client-typing' && e.channel === 'private-hooked'), 'client_event webhook')
  const clientEvent = webhooks.client.find((e) => e.event === 'client-typing')
  t.same(typeof clientEvent.data === 'string' ? JSON.parse(clientEvent.data) : clientEvent.data, { on: true })
  t.equal(clientEvent.socket_id, bob.connection.socket_id)

  bob.unsubscribe('presence-hooks')
  await eventually(() => webhooks.presence.some((e) => e.name === 'member_removed' && e.channel === 'presence-hooks' && e.user_id === 'bob'), 'member_removed webhook')
  ann.unsubscribe('private-hooked')
  bob.unsubscribe('private-hooked')
  await eventually(() => webhooks.channelExistence.some((e) => e.name === 'channel_vacated' && e.channel === 'private-hooked'), 'channel_vacated webhook')
  t.pass('every webhook arrived, verified and validated')
})

t.test('trigger excluding a socket: the sender does not get its own event, another client does', async (t) => {
  const { sender, senderChannel, otherChannel } = await senderAndOther(t, soketi, 'room')
  const senderGot: string[] = []
  senderChannel.bind('said', (data: { text: string }) => { senderGot.push(data.text) })
  const otherGot = nextEvent(otherChannel, 'said')
  await app.pusher.trigger('room', 'said', { text: 'excluded' }, { socket_id: sender.connection.socket_id })
  t.same(await otherGot, { text: 'excluded' })
  // Events on one channel arrive in order: once the sender has the next one, it has not had the first.
  const marker = nextEvent(senderChannel, 'said')
  await app.pusher.trigger('room', 'said', { text: 'marker' })
  await marker
  t.same(senderGot, ['marker'])
})
