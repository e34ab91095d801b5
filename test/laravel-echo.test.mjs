// End to end: Laravel Echo 2 (ES module build, with pusher-js) against soketi and the
// plugin, through examples/laravel-echo: private, presence, encrypted, whispers, X-Socket-ID, notifications.
import { createRequire } from 'node:module'
import t from 'tap'
import { createEcho } from '../examples/laravel-echo/client.mjs'
import { buildApp } from '../examples/laravel-echo/server.mjs'
import helpers from './helpers/app.ts'

const require = createRequire(import.meta.url)
const { startSoketi, freePort } = require('../examples/soketi.js')

const DEADLINE_MS = 10_000
const MASTER_KEY = Buffer.alloc(32, 7).toString('base64')

let soketi
let app
let origin
// Every line the app logs, at every level: checked for secrets and signatures when the test ends.
const logLines = []

t.before(async () => {
  soketi = await startSoketi()
  const logger = { level: 'debug', stream: { write: (line) => { logLines.push(JSON.parse(line)) } } }
  app = await buildApp({ ...soketi.pusherOptions, encryptionMasterKeyBase64: MASTER_KEY }, { logger })
  const port = await freePort()
  await app.listen({ host: '127.0.0.1', port })
  origin = `http://127.0.0.1:${port}`
})

t.teardown(async () => {
  await app?.close()
  await soketi?.stop()
  helpers.checkLogLines(logLines, [soketi.secret, MASTER_KEY])
})

/** Resolves with what `register(callback)` gives first, or fails after 10 s. */
function first (register, what) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ${what} within ${DEADLINE_MS} ms`)), DEADLINE_MS)
    register((value) => { clearTimeout(timer); resolve(value) })
  })
}

/** An Echo client signed in (by header) as `user`, connected, disconnected when the test ends. */
async function echoAs (t, user) {
  const echo = createEcho({ key: soketi.key, wsHost: soketi.host, wsPort: soketi.port, origin, headers: { 'x-user': user } })
  t.teardown(() => { echo.disconnect() })
  const connection = echo.connector.pusher.connection
  if (connection.state !== 'connected') await first((cb) => connection.bind('connected', cb), `${user}'s connection`)
  return echo
}

const subscribed = (channel, what) => first((cb) => channel.subscribed(cb), `${what} subscribed`)

t.test('private(...).listen(\'.OrderShipped\') and the App\\Events naming convention', async (t) => {
  const ann = await echoAs(t, 'ann')
  const channel = ann.private('orders.7')
  await subscribed(channel, 'private-orders.7')
  const dotted = first((cb) => channel.listen('.OrderShipped', cb), '.OrderShipped')
  await app.pusher.trigger('private-orders.7', 'OrderShipped', { orderId: '7' })
  t.same(await dotted, { orderId: '7' })
  const namespaced = first((cb) => channel.listen('OrderUpdated', cb), 'App\\Events\\OrderUpdated')
  await app.pusher.trigger('private-orders.7', 'App\\Events\\OrderUpdated', { status: 'packed' })
  t.same(await namespaced, { status: 'packed' })
})

t.test('a channel rule refuses someone else\'s order: Echo\'s error() gets the 403', async (t) => {
  const bob = await echoAs(t, 'bob')
  const error = await first((cb) => bob.private('orders.7').error(cb), 'subscription error')
  t.equal(error.status, 403)
})

t.test('join(...): here, joining and leaving get the members a channel rule returned', async (t) => {
  const ann = await echoAs(t, 'ann')
  const annRoom = ann.join('chat.lobby')
  const here = await first((cb) => annRoom.here(cb), 'here')
  t.same(here, [{ id: 1, name: 'Ann', room: 'lobby' }])
  const joining = first((cb) => annRoom.joining(cb), 'joining')
  const bob = await echoAs(t, 'bob')
  const bobRoom = bob.join('chat.lobby')
  t.same(await joining, { id: 2, name: 'Bob', room: 'lobby' })
  const bobHere = await first((cb) => bobRoom.here(cb), 'bob\'s here')
  t.same(bobHere.map((member) => member.name).sort(), ['Ann', 'Bob'])
  const leaving = first((cb) => annRoom.leaving(cb), 'leaving')
  bob.leave('chat.lobby')
  t.same(await leaving, { id: 2, name: 'Bob', room: 'lobby' })
})

t.test('encryptedPrivate(...) receives what app.pusher.trigger encrypted', async (t) => {
  const ann = await echoAs(t, 'ann')
  const channel = ann.encryptedPrivate('orders.7')
  await subscribed(channel, 'private-encrypted-orders.7')
  const received = first((cb) => channel.listen('.Secret', cb), '.Secret')
  await app.pusher.trigger('private-encrypted-orders.7', 'Secret', { code: 1234 })
  t.same(await received, { code: 1234 })
})

t.test('whisper and listenForWhisper on a presence channel', async (t) => {
  const ann = await echoAs(t, 'ann')
  const bob = await echoAs(t, 'bob')
  const annRoom = ann.join('chat.whispers')
  const bobRoom = bob.join('chat.whispers')
  await Promise.all([subscribed(annRoom, 'ann in the room'), subscribed(bobRoom, 'bob in the room')])
  const heard = first((cb) => bobRoom.listenForWhisper('typing', cb), 'the whisper')
  annRoom.whisper('typing', { name: 'Ann' })
  t.same(await heard, { name: 'Ann' })
})

t.test('X-Socket-ID: the sender\'s socket does not get the event it caused; others do', async (t) => {
  const ann = await echoAs(t, 'ann')
  const annTab2 = await echoAs(t, 'ann')
  const first1 = ann.private('orders.7')
  const other = annTab2.private('orders.7')
  await Promise.all([subscribed(first1, 'tab 1'), subscribed(other, 'tab 2')])
  const senderGot = []
  first1.listen('.OrderShipped', (data) => { senderGot.push(data) })
  const otherGot = first((cb) => other.listen('.OrderShipped', cb), 'the event in the other tab')
  const res = await fetch(`${origin}/orders/7/ship`, { method: 'POST', headers: { 'x-socket-id': ann.socketId() } })
  t.same(await res.json(), { shipped: '7' })
  t.same(await otherGot, { orderId: '7' })
  // A marker after the event: once the sender has it, it would have had the event too.
  const marker = first((cb) => first1.listen('.Marker', cb), 'marker')
  await app.pusher.trigger('private-orders.7', 'Marker', {})
  await marker
  t.same(senderGot, [], 'the sender was excluded')
  const bad = await fetch(`${origin}/orders/7/ship`, { method: 'POST', headers: { 'x-socket-id': 'not-a-socket' } })
  t.equal(bad.status, 400, 'a malformed X-Socket-ID is a 400')
})

t.test('private(\'App.Models.User.2\').notification() receives app.pusher.notify, as a Laravel notification', async (t) => {
  const bob = await echoAs(t, 'bob')
  const channel = bob.private('App.Models.User.2')
  await subscribed(channel, 'private-App.Models.User.2')
  const received = first((cb) => channel.notification(cb), 'the notification')
  const { id } = await app.pusher.notify(2, 'App\\Notifications\\InvoicePaid', { invoiceId: 3 })
  t.same(await received, { invoiceId: 3, id, type: 'App\\Notifications\\InvoicePaid' })
  const refused = await first((cb) => bob.private('App.Models.User.1').error(cb), 'subscription error')
  t.equal(refused.status, 403, 'someone else\'s notifications are refused')
})

t.test('signin() through Echo\'s connector, and an event sent to that user', async (t) => {
  const bob = await echoAs(t, 'bob')
  const pusher = bob.connector.pusher
  pusher.signin()
  await pusher.user.signinDonePromise
  t.same(pusher.user.user_data, { id: '2', user_info: { name: 'Bob' } })
  const received = first((cb) => pusher.user.bind('Notice', cb), 'the user event')
  await app.pusher.sendToUser('2', 'Notice', { text: 'hello Bob' })
  t.same(await received, { text: 'hello Bob' })
})
