// request.pusher.afterReply: held until the reply has gone out; sent if its status is below 400,
// dropped on 4xx/5xx, a thrown handler or an aborted request; checked at once; a later failure logged.
import { request as httpRequest } from 'node:http'
import type { AddressInfo } from 'node:net'
import t from 'tap'
import { buildApp, captureLogs } from '../helpers/app'
import { fakeApi } from '../helpers/fake-api'
import { until } from '../helpers/until'

const sentNames = (api: Awaited<ReturnType<typeof fakeApi>>): string[] =>
  api.calls.flatMap((call) => call.body?.batch ?? (call.body === undefined ? [] : [call.body])).map((event: { name: string }) => event.name)

t.test('on a 2xx reply the held events go out after it, the requesting socket left out', async (t) => {
  const api = await fakeApi(t)
  const app = await buildApp(t, api.options)
  let sentDuringHandler = -1
  app.post('/orders', async (request) => {
    request.pusher.afterReply.trigger('orders', 'created', { id: 1 })
    request.pusher.afterReply.triggerBatch([{ channel: 'a', name: 'batched', data: 2 }])
    request.pusher.afterReply.sendToUser('ann', 'notice', { text: 'hi' })
    request.pusher.afterReply.trigger(['b', 'c'], 'multi', 1, { socket_id: '9.9' })
    await new Promise((resolve) => setTimeout(resolve, 20))
    sentDuringHandler = api.calls.length
    return { ok: true }
  })
  const res = await app.inject({ method: 'POST', url: '/orders', headers: { 'x-socket-id': '1.2' } })
  t.equal(res.statusCode, 200)
  t.equal(sentDuringHandler, 0, 'nothing was sent before the reply')
  await until(() => sentNames(api).length === 4, 'four sends')
  t.same(sentNames(api).sort(), ['batched', 'created', 'multi', 'notice'])
  t.match(api.calls.find((call) => call.body?.name === 'multi')?.body, { channels: ['b', 'c'], socket_id: '9.9' }, 'an explicit socket_id wins')
  const created = api.calls.flatMap((call) => call.body?.batch ?? []).find((event: { name: string }) => event.name === 'created')
  t.equal(created.socket_id, '1.2')
})

t.test('a 4xx or 5xx reply, or a thrown handler: the held events are dropped, logged at debug', async (t) => {
  const api = await fakeApi(t)
  const logs = captureLogs()
  logs.logger.level = 'debug'
  const app = await buildApp(t, api.options, { logger: logs.logger })
  app.post('/refused', async (request, reply) => {
    request.pusher.afterReply.trigger('orders', 'refused', 1)
    return await reply.code(409).send({ ok: false })
  })
  app.post('/failed', async (request, reply) => {
    request.pusher.afterReply.trigger('orders', 'failed', 1)
    return await reply.code(500).send({ ok: false })
  })
  app.post('/throws', async (request) => {
    request.pusher.afterReply.trigger('orders', 'rolled-back', 1)
    throw new Error('the transaction failed')
  })
  t.equal((await app.inject({ method: 'POST', url: '/refused' })).statusCode, 409)
  t.equal((await app.inject({ method: 'POST', url: '/failed' })).statusCode, 500)
  t.equal((await app.inject({ method: 'POST', url: '/throws' })).statusCode, 500)
  await new Promise((resolve) => setTimeout(resolve, 100))
  t.same(api.calls, [], 'nothing sent')
  t.same(logs.lines.filter((line) => line.level === 20 && /afterReply events dropped/.test(line.msg)).map((line) => line.msg.split(': ').at(-1)), ['the reply was a 409', 'the reply was a 500', 'the reply was a 500'])
})

t.test('an aborted request: the held events are dropped, and the debug line says why', async (t) => {
  const api = await fakeApi(t)
  const logs = captureLogs()
  logs.logger.level = 'debug'
  const app = await buildApp(t, api.options, { logger: logs.logger })
  let handled!: () => void
  const handlerDone = new Promise<void>((resolve) => { handled = resolve })
  let started!: () => void
  const handlerStarted = new Promise<void>((resolve) => { started = resolve })
  app.post('/slow', async (request) => {
    request.pusher.afterReply.trigger('orders', 'aborted', 1)
    started()
    await new Promise((resolve) => setTimeout(resolve, 200))
    handled()
    return { ok: true }
  })
  await app.listen({ host: '127.0.0.1', port: 0 })
  const req = httpRequest({ host: '127.0.0.1', port: (app.server.address() as AddressInfo).port, path: '/slow', method: 'POST' })
  req.on('error', () => {})
  req.end()
  await handlerStarted // the events are held: now the client goes away before the reply
  req.destroy()
  await handlerDone
  await new Promise((resolve) => setTimeout(resolve, 100))
  t.same(api.calls, [], 'nothing sent')
  t.same(logs.lines.filter((line) => line.level === 20 && /afterReply events dropped/.test(line.msg)).map((line) => line.msg.split(': ').at(-1)), ['the request was aborted'])
})

t.test('checked when called: a bad channel throws FST_PUSHER_INVALID_EVENT in the handler', async (t) => {
  const api = await fakeApi(t)
  const app = await buildApp(t, api.options)
  const thrown: string[] = []
  app.post('/bad', async (request) => {
    for (const call of [
      () => { request.pusher.afterReply.trigger('no way', 'e', 1) },
      () => { request.pusher.afterReply.triggerBatch([{ channel: 'a', name: '', data: 1 }]) },
      () => { request.pusher.afterReply.sendToUser('a b', 'e', 1) },
      () => { request.pusher.afterReply.trigger('a', 'e', 'x'.repeat(11_000)) }
    ]) {
      try { call() } catch (error) { thrown.push((error as { code: string }).code) }
    }
    return { ok: true }
  })
  t.equal((await app.inject({ method: 'POST', url: '/bad' })).statusCode, 200)
  t.same(thrown, ['FST_PUSHER_INVALID_EVENT', 'FST_PUSHER_INVALID_EVENT', 'FST_PUSHER_INVALID_EVENT', 'FST_PUSHER_INVALID_EVENT'])
  await new Promise((resolve) => setTimeout(resolve, 50))
  t.same(api.calls, [])
})

t.test('a failure after the reply is logged at error level with the event and channel, never the data', async (t) => {
  const api = await fakeApi(t, () => ({ status: 400, body: { error: 'refused' } }))
  const logs = captureLogs()
  const app = await buildApp(t, api.options, { logger: logs.logger })
  const unhandled: unknown[] = []
  const onUnhandled = (reason: unknown): void => { unhandled.push(reason) }
  process.on('unhandledRejection', onUnhandled)
  t.teardown(() => { process.off('unhandledRejection', onUnhandled) })
  app.post('/send', async (request) => {
    request.pusher.afterReply.trigger('orders', 'shipped', { secretData: 'do-not-log' })
    return { ok: true }
  })
  t.equal((await app.inject({ method: 'POST', url: '/send' })).statusCode, 200)
  await until(() => logs.lines.some((line) => /afterReply event was not sent/.test(line.msg ?? '')), 'the error line')
  const line = logs.lines.find((line) => /afterReply event was not sent/.test(line.msg ?? ''))
  t.match(line, { level: 50, event: 'shipped', channel: 'orders', code: 'FST_PUSHER_API_ERROR', statusCode: 400 })
  t.notMatch(JSON.stringify(logs.lines), /do-not-log/)
  t.same(unhandled, [])
})
