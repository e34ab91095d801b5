// Faults: soketi stopped while the app triggers, then started again on the same port.
import { checkedFastify } from '../helpers/app'
import t from 'tap'
import fastifyPusher from '../../index'
import { startSoketi } from '../helpers/soketi'

t.test('soketi stopped: each trigger rejects with a typed error within timeout, the app keeps serving; started again: triggers succeed', async (t) => {
  const unhandled: unknown[] = []
  const onUnhandled = (reason: unknown): void => { unhandled.push(reason) }
  process.on('unhandledRejection', onUnhandled)
  t.teardown(() => { process.off('unhandledRejection', onUnhandled) })

  let soketi = await startSoketi()
  t.teardown(async () => { await soketi.stop() })
  const app = checkedFastify(t, {}, [soketi.secret])
  t.teardown(async () => { await app.close() })
  await app.register(fastifyPusher, { ...soketi.pusherOptions, timeout: 1000, retries: 1 })
  app.get('/health', async () => ({ ok: true }))
  t.same(await app.pusher.trigger('news', 'before', { n: 1 }), {})

  await soketi.stop()
  const started = Date.now()
  const outcomes = await Promise.allSettled([
    app.pusher.trigger('news', 'during', { n: 2 }),
    app.pusher.trigger(['a', 'b'], 'during', { n: 3 }),
    app.pusher.triggerBatch([{ channel: 'c', name: 'during', data: 4 }]),
    app.pusher.channelInfo('news')
  ])
  t.ok(Date.now() - started < 1000 + 500, `every call settled within timeout (${Date.now() - started} ms)`)
  for (const outcome of outcomes) {
    t.equal(outcome.status, 'rejected')
    t.match((outcome as PromiseRejectedResult).reason, { code: /^FST_PUSHER_API_(UNREACHABLE|TIMEOUT)$/ })
  }
  t.equal((await app.inject({ method: 'GET', url: '/health' })).statusCode, 200, 'the app keeps serving its routes')

  soketi = await startSoketi({ port: soketi.port })
  t.same(await app.pusher.trigger('news', 'after', { n: 5 }), {}, 'triggers succeed again')
  t.type(await app.pusher.trigger(['a', 'b'], 'after', { n: 6 }), 'object', 'a multi-channel trigger too')
  t.same(unhandled, [], 'no unhandled rejection')
})
