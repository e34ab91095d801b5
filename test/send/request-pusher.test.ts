// request.pusher: the requesting client's socket, from X-Socket-ID, left out of what it triggers.
import t from 'tap'
import { buildApp, captureLogs } from '../helpers/app'
import { fakeApi } from '../helpers/fake-api'

t.test('request.pusher.trigger leaves out the socket named by X-Socket-ID; an explicit socket_id wins', async (t) => {
  const api = await fakeApi(t)
  const app = await buildApp(t, api.options)
  app.post('/ship', async (request) => {
    await request.pusher.trigger('orders', 'shipped', { id: 1 })
    await request.pusher.trigger('orders', 'explicit', 1, { socket_id: '9.9' })
    await request.pusher.triggerBatch([{ channel: 'a', name: 'b1', data: 1 }, { channel: 'b', name: 'b2', data: 2, socket_id: '8.8' }])
    const first = request.pusher
    return { socketId: request.pusher.socketId ?? null, same: first === request.pusher }
  })
  const res = await app.inject({ method: 'POST', url: '/ship', headers: { 'x-socket-id': '123.456' } })
  t.same(res.json(), { socketId: '123.456', same: true })
  const sent = api.calls.flatMap((call) => call.body.batch)
  t.same(sent.map((event: any) => [event.name, event.socket_id]), [['shipped', '123.456'], ['explicit', '9.9'], ['b1', '123.456'], ['b2', '8.8']])
})

t.test('an absent or malformed header: no socket left out, logged at debug only, never an error', async (t) => {
  const api = await fakeApi(t)
  const logs = captureLogs()
  logs.logger.level = 'debug'
  const app = await buildApp(t, api.options, { logger: logs.logger })
  app.post('/send', async (request) => {
    await request.pusher.trigger('orders', 'e', 1)
    return { socketId: request.pusher.socketId ?? null }
  })
  for (const headers of [{}, { 'x-socket-id': 'nope' }, { 'x-socket-id': `${'1'.repeat(40)}.${'2'.repeat(40)}` }]) {
    const res = await app.inject({ method: 'POST', url: '/send', headers })
    t.equal(res.statusCode, 200)
    t.same(res.json(), { socketId: null })
  }
  t.same(api.calls.flatMap((call) => call.body.batch).map((event: any) => event.socket_id), [undefined, undefined, undefined])
  t.equal(logs.lines.filter((line) => /malformed X-Socket-ID/.test(line.msg)).map((line) => line.level).join(), '20,20', 'two debug lines')
  t.equal(logs.lines.filter((line) => line.level >= 40).length, 0)
})
