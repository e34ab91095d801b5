// End to end: pusher-js signin() through the plugin's user-auth route, against soketi.
import type { FastifyInstance } from 'fastify'
import { checkedFastify } from '../helpers/app'
import t, { type Test } from 'tap'
import fastifyPusher from '../../index'
import { connectClient, eventually, nextEvent } from '../helpers/pusher-js'
import { freePort, startSoketi, type Soketi } from '../helpers/soketi'

let soketi: Soketi
let app: FastifyInstance
let base: string

t.before(async () => {
  soketi = await startSoketi()
  app = checkedFastify(t, {}, [soketi.secret])
  await app.register(fastifyPusher, soketi.pusherOptions)
  // The user comes from a header here; a real app would use its session.
  app.pusher.userAuth((request) => {
    const user = request.headers['x-user']
    return typeof user === 'string' ? { id: user, user_info: { name: `Name of ${user}` } } : null
  })
  app.pusher.auth(() => true)
  const port = await freePort()
  await app.listen({ host: '127.0.0.1', port })
  base = `http://127.0.0.1:${port}/pusher`
})

t.teardown(async () => {
  await app?.close()
  await soketi?.stop()
})

const as = (user?: string) => ({
  userAuthentication: { endpoint: `${base}/user-auth`, transport: 'ajax' as const, headers: user === undefined ? {} : { 'x-user': user } },
  channelAuthorization: { endpoint: `${base}/auth`, transport: 'ajax' as const, headers: user === undefined ? {} : { 'x-user': user } }
})

async function signedIn (t: Test, user: string) {
  const client = await connectClient(t, soketi, as(user))
  client.signin()
  await client.user.signinDonePromise
  t.equal(client.user.user_data?.id, user, `${user} is signed in`)
  return client
}

t.test('pusher-js signin() succeeds through the plugin, and sendToUser reaches that user only', async (t) => {
  const ann = await signedIn(t, 'ann')
  const bob = await signedIn(t, 'bob')
  t.same(ann.user.user_data, { id: 'ann', user_info: { name: 'Name of ann' } })
  const bobGot: unknown[] = []
  bob.user.bind('notice', (data: unknown) => { bobGot.push(data) })
  const received = nextEvent(ann.user, 'notice', 'the event sent to ann')
  await app.pusher.sendToUser('ann', 'notice', { text: 'for ann only' })
  t.same(await received, { text: 'for ann only' })
  // A marker sent to bob after ann's event: once it arrives, ann's event would have too.
  const marker = nextEvent(bob.user, 'marker')
  await app.pusher.sendToUser('bob', 'marker', {})
  await marker
  t.same(bobGot, [], 'bob did not receive ann\'s event')
})

t.test('terminateUserConnections disconnects the signed-in user', async (t) => {
  const cy = await signedIn(t, 'cy')
  const socket = (cy.connection as any).connection.transport.socket
  const gone = eventually(() => cy.connection.state !== 'connected', 'cy disconnected')
  await app.pusher.terminateUserConnections('cy')
  await gone
  t.pass('disconnected')
  // pusher-js then closes its (already closed) Node WebSocket, whose close() arms a 30 s
  // timer that nothing clears: cleared here, so that the test process exits at once.
  cy.disconnect()
  clearTimeout(socket._closeTimer)
})

t.test('a refused signin leaves the client signed out', async (t) => {
  const client = await connectClient(t, soketi, as())
  client.signin()
  await client.user.signinDonePromise
  t.equal(client.user.user_data, null)
})
