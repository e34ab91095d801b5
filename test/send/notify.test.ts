// app.pusher.notify and request.pusher.notify: a Laravel broadcast notification, as Laravel
// sends one (the Laravel Echo test receives it through soketi with Echo's .notification()).
import t from 'tap'
import { buildApp } from '../helpers/app'
import { fakeApi } from '../helpers/fake-api'

const EVENT = 'Illuminate\\Notifications\\Events\\BroadcastNotificationCreated'
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/

const sentEvents = (api: Awaited<ReturnType<typeof fakeApi>>): any[] =>
  api.calls.flatMap((call) => call.body.batch ?? [call.body]).map((event: any) => ({ ...event, data: JSON.parse(event.data) }))

t.test('notify triggers Laravel\'s event on private-App.Models.User.{id} with { ...data, id, type }', async (t) => {
  const api = await fakeApi(t)
  const app = await buildApp(t, api.options)
  const { id } = await app.pusher.notify(7, 'App\\Notifications\\InvoicePaid', { invoiceId: 3, amount: 9.5 })
  t.match(id, UUID)
  const [event] = sentEvents(api)
  t.equal(event.channel ?? event.channels?.[0], 'private-App.Models.User.7')
  t.equal(event.name, EVENT)
  t.same(event.data, { invoiceId: 3, amount: 9.5, id, type: 'App\\Notifications\\InvoicePaid' })
  const second = await app.pusher.notify('7', 'invoice.paid', {})
  t.not(second.id, id, 'a new id per notification')
})

t.test('id and type win over data fields of the same names, as in Laravel', async (t) => {
  const api = await fakeApi(t)
  const app = await buildApp(t, api.options)
  const { id } = await app.pusher.notify('ann', 'welcome', { id: 'mine', type: 'mine', text: 'hi' })
  t.same(sentEvents(api)[0].data, { id, type: 'welcome', text: 'hi' })
})

t.test('notificationChannel: a template with {userId}, or a function of the user id', async (t) => {
  const api = await fakeApi(t)
  const template = await buildApp(t, { ...api.options, notificationChannel: 'users.{userId}.inbox' })
  await template.pusher.notify(5, 'n', {})
  const fn = await buildApp(t, { ...api.options, notificationChannel: (userId: string) => `App.Models.Admin.${userId}` })
  await fn.pusher.notify(6, 'n', {})
  t.same(sentEvents(api).map((event) => event.channel ?? event.channels[0]), ['private-users.5.inbox', 'private-App.Models.Admin.6'])
})

t.test('a bad notificationChannel fails register, naming the option', async (t) => {
  for (const notificationChannel of [5, 'App.Models.User', 'private-App.Models.User.{userId}', 'presence-room.{userId}', null]) {
    await t.rejects(buildApp(t, { notificationChannel: notificationChannel as any }), { code: 'FST_PUSHER_INVALID_OPTION', message: /"notificationChannel"/ }, String(notificationChannel))
  }
})

t.test('checked before sending, like trigger: FST_PUSHER_INVALID_EVENT and nothing sent', async (t) => {
  const api = await fakeApi(t)
  const app = await buildApp(t, { ...api.options, notificationChannel: (userId: string) => (userId === 'x' ? 5 : `u.${userId}`) as any })
  const cases: Array<[unknown, unknown, unknown, RegExp]> = [
    [7, '', {}, /notification type must be a non-empty string/],
    [7, 5, {}, /notification type must be a non-empty string/],
    [7, 'n', [], /data must be an object/],
    [7, 'n', null, /data must be an object/],
    [7, 'n', 'text', /data must be an object/],
    ['', 'n', {}, /user id must be a non-empty string or a whole number/],
    [1.5, 'n', {}, /user id must be a non-empty string or a whole number/],
    [{}, 'n', {}, /user id must be a non-empty string or a whole number/],
    ['a b', 'n', {}, /is not a channel name/],
    ['x', 'n', {}, /notificationChannel must return a string/],
    [7, 'n', { text: 'x'.repeat(11_000) }, /over the limit of 10240/]
  ]
  for (const [userId, type, data, message] of cases) {
    await t.rejects(app.pusher.notify(userId as any, type as any, data as any), { code: 'FST_PUSHER_INVALID_EVENT', message }, `${String(userId)} ${String(type).slice(0, 10)} ${JSON.stringify(data)?.slice(0, 20)}`)
  }
  t.same(api.calls, [], 'nothing was sent')
})

t.test('request.pusher.notify leaves out the socket named by X-Socket-ID', async (t) => {
  const api = await fakeApi(t)
  const app = await buildApp(t, api.options)
  app.post('/pay', async (request) => await request.pusher.notify(7, 'invoice.paid', { invoiceId: 3 }))
  const res = await app.inject({ method: 'POST', url: '/pay', headers: { 'x-socket-id': '123.456' } })
  const [event] = sentEvents(api)
  t.same(res.json(), { id: event.data.id })
  t.equal(event.socket_id, '123.456')
  t.equal(event.name, EVENT)
})
