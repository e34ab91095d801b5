// README, "Laravel Echo", notifications: the sample between the markers, with what it assumes around it.
// Run by test/readme-samples.test.ts.
import assert from 'node:assert'
import Fastify from 'fastify'
import fastifyPusher from 'fastify-pusher'
import { client, credentials, postForm, signIn } from './assumed.mjs'

const app = Fastify()
signIn(app, { id: 2, name: 'Bob' })
await app.register(fastifyPusher, { ...credentials, prefix: '/broadcasting' })
const invoice = { id: 3, amount: 9.5 }

// --- README sample ---
// Broadcast::channel('App.Models.User.{id}', ...): each user hears their own notifications
app.pusher.channel('App.Models.User.{id}', (request, { id }) => String(request.user?.id) === id)

// $user->notify(new InvoicePaid($invoice)): Echo's private(`App.Models.User.${id}`).notification(cb) gets
// { invoiceId, amount, id, type }
const { id } = await app.pusher.notify(2, 'App\\Notifications\\InvoicePaid', { invoiceId: invoice.id, amount: invoice.amount })
// --- end of README sample ---

assert.deepEqual(client.sent, [{
  channels: ['private-App.Models.User.2'],
  event: 'Illuminate\\Notifications\\Events\\BroadcastNotificationCreated',
  data: { invoiceId: 3, amount: 9.5, id, type: 'App\\Notifications\\InvoicePaid' }
}])
assert.equal((await postForm(app, '/broadcasting/auth', 'socket_id=1.2&channel_name=private-App.Models.User.2')).statusCode, 200)
assert.equal((await postForm(app, '/broadcasting/auth', 'socket_id=1.2&channel_name=private-App.Models.User.1')).statusCode, 403)
await app.close()
