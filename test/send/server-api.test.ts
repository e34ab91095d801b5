// sendToUser, terminateUserConnections and the channel queries, through the same sender as triggers.
import t from 'tap'
import { buildApp, captureLogs } from '../helpers/app'
import { fakeApi } from '../helpers/fake-api'

t.test('sendToUser: serialized, checked, sent on the user\'s channel; terminateUserConnections', async (t) => {
  const api = await fakeApi(t)
  const app = await buildApp(t, { ...api.options, maxEventBytes: 50 })
  t.same(await app.pusher.sendToUser('ann', 'notice', { text: 'hi' }), {})
  t.same(await app.pusher.sendToUser(42, 'notice', 'x'), {}, 'a numeric id is made a string')
  t.same(await app.pusher.terminateUserConnections('ann@example.com'), {})
  t.same(api.calls.map((call) => [call.method, call.path, call.body]), [
    ['POST', '/events', { name: 'notice', data: '{"text":"hi"}', channels: ['#server-to-user-ann'] }],
    ['POST', '/events', { name: 'notice', data: '"x"', channels: ['#server-to-user-42'] }],
    ['POST', '/users/ann@example.com/terminate_connections', {}]
  ])
  for (const bad of ['', 'a/b', 'a b', 'x'.repeat(129), null]) {
    await t.rejects(app.pusher.sendToUser(bad as any, 'e', 1), { code: 'FST_PUSHER_INVALID_EVENT', message: /user id must be/ }, String(bad))
    await t.rejects(app.pusher.terminateUserConnections(bad as any), { code: 'FST_PUSHER_INVALID_EVENT' })
  }
  await t.rejects(app.pusher.sendToUser('ann', 'e', 'x'.repeat(60)), { code: 'FST_PUSHER_INVALID_EVENT', message: /over the limit of 50/ })
  await t.rejects(app.pusher.sendToUser('ann', 'x'.repeat(201), 1), { message: /at most 200 characters/ })
  t.equal(api.calls.length, 3, 'nothing else was sent')
})

t.test('a refused sendToUser rejects with FST_PUSHER_API_ERROR', async (t) => {
  const api = await fakeApi(t, () => ({ body: { error: 'user events disabled', code: 400 } }))
  const app = await buildApp(t, api.options)
  await t.rejects(app.pusher.sendToUser('ann', 'notice', 1), { code: 'FST_PUSHER_API_ERROR', statusCode: 400, event: 'notice', channels: ['#server-to-user-ann'] })
  await t.rejects(app.pusher.terminateUserConnections('ann'), { code: 'FST_PUSHER_API_ERROR', message: /POST \/users\/ann\/terminate_connections/ })
})

t.test('channel queries resolve to the parsed answer', async (t) => {
  const api = await fakeApi(t, (call) => {
    if (call.path === '/channels/presence-room') return { body: { occupied: true, user_count: 2 } }
    if (call.path === '/channels/presence-room/users') return { body: { users: [{ id: 'ann' }, { id: 'bob' }] } }
    if (call.path === '/channels' && call.query.has('filter_by_prefix')) return { body: { channels: { 'presence-room': { user_count: 2 } } } }
    return { body: {} }
  })
  const app = await buildApp(t, api.options)
  t.same(await app.pusher.channelInfo('presence-room', { info: 'user_count' }), { occupied: true, user_count: 2 })
  t.same(await app.pusher.presenceUsers('presence-room'), [{ id: 'ann' }, { id: 'bob' }])
  t.same(await app.pusher.channelsInfo({ prefix: 'presence-', info: 'user_count' }), { 'presence-room': { user_count: 2 } })
  t.same(await app.pusher.channelsInfo(), {}, 'no channels')
  t.same(await app.pusher.presenceUsers('presence-empty'), [])
  t.same(await app.pusher.channelInfo('quiet'), {})
  const [info, users, list, , , quiet] = api.calls
  t.same([info.method, info.query.get('info'), users.method, list.query.get('filter_by_prefix'), list.query.get('info'), quiet.query.has('info')], ['GET', 'user_count', 'GET', 'presence-', 'user_count', false])
  t.equal(info.body, undefined, 'a GET has no body')
  await t.rejects(app.pusher.channelInfo('bad name'), { code: 'FST_PUSHER_INVALID_EVENT' })
  await t.rejects(app.pusher.presenceUsers('bad/name'), { code: 'FST_PUSHER_INVALID_EVENT' })
})

t.test('once close has begun, user calls reject with FST_PUSHER_CLOSED', async (t) => {
  const api = await fakeApi(t)
  const logs = captureLogs()
  const app = await buildApp(t, api.options, { logger: logs.logger })
  const late: unknown[] = []
  app.addHook('preClose', async () => {
    late.push(await app.pusher.sendToUser('ann', 'e', 1).catch((error) => error))
    late.push(await app.pusher.terminateUserConnections('ann').catch((error) => error))
  })
  await app.close()
  t.match(late, [{ code: 'FST_PUSHER_CLOSED' }, { code: 'FST_PUSHER_CLOSED' }])
})

t.test('a failed channel query rejects with FST_PUSHER_API_ERROR naming the query', async (t) => {
  const api = await fakeApi(t, () => ({ status: 500, body: { error: 'down' } }))
  const app = await buildApp(t, api.options)
  await t.rejects(app.pusher.channelInfo('room'), { code: 'FST_PUSHER_API_ERROR', statusCode: 500, message: 'The Pusher API refused GET /channels/room: 500 down' })
})
