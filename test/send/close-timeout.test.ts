// close() always ends: with `timeout: 0` and a server that never answers, app.close() gives up on the
// calls under way after `closeTimeout`, they reject with FST_PUSHER_CLOSED, and one warning counts them.
import t from 'tap'
import { buildApp, captureLogs } from '../helpers/app'
import { json, rawApi } from '../helpers/fake-api'
import { until } from '../helpers/until'
import { DEFAULT_CLOSE_TIMEOUT, resolveSendOptions } from '../../lib/config/send-options'

const options = (port: number) => ({ host: '127.0.0.1', port, useTLS: false })
const silent = () => {} // accepts the request and never answers

t.test('a call to a server that never answers is cut off at closeTimeout, and close() ends', async (t) => {
  const api = await rawApi(t, silent)
  const logs = captureLogs()
  const app = await buildApp(t, { ...options(api.port), timeout: 0, closeTimeout: 100, maxInFlight: 1, batchSize: 1 }, { logger: logs.logger })
  const first = app.pusher.trigger('chat', 'e', 1)
  const queued = app.pusher.trigger('chat', 'e', 2) // waits behind the first (maxInFlight: 1)
  const direct = app.pusher.trigger(['a', 'b'], 'e', 3)
  const settled = Promise.allSettled([first, queued, direct])
  await until(() => api.requests.length >= 1, 'the first call reached the server')
  const closing = Date.now()
  await app.close()
  const closedMs = Date.now() - closing
  t.ok(closedMs < DEFAULT_CLOSE_TIMEOUT, `close() ended after ${closedMs} ms: closeTimeout (100 ms) and the grace after it, not the default ${DEFAULT_CLOSE_TIMEOUT} ms`)
  t.equal(resolveSendOptions({}).closeTimeout, 10_000, 'the default, as the README gives it')
  const outcomes = await settled
  t.same(outcomes.map((outcome) => outcome.status === 'rejected' && (outcome.reason as { code: string }).code), ['FST_PUSHER_CLOSED', 'FST_PUSHER_CLOSED', 'FST_PUSHER_CLOSED'])
  const warnings = logs.lines.filter((line) => line.level === 40 && /closeTimeout/.test(line.msg))
  t.equal(warnings.length, 1, 'one warning')
  t.match(warnings[0], { cutOff: 3, closeTimeout: 100, msg: /cut off 3 API call\(s\)/ })
  t.ok(api.requests.length >= 1, 'the first call had reached the server')
})

t.test('a call waiting to retry a 429 is cut off too', async (t) => {
  const api = await rawApi(t, (req, res) => { res.writeHead(429, { 'retry-after': '30' }).end('{"error":"slow down"}') })
  const app = await buildApp(t, { ...options(api.port), timeout: 0, closeTimeout: 50 })
  const sent = app.pusher.trigger('chat', 'e', 1)
  sent.catch(() => {})
  while (api.requests.length === 0) await new Promise((resolve) => setTimeout(resolve, 5))
  await app.close()
  await t.rejects(sent, { code: 'FST_PUSHER_CLOSED' })
})

t.test('calls that settle in time are waited for, and nothing is cut off', async (t) => {
  const api = await rawApi(t, (req, res, body) => { setTimeout(() => json(200, {})(req, res, body), 50) })
  const logs = captureLogs()
  const app = await buildApp(t, { ...options(api.port), closeTimeout: 5000 }, { logger: logs.logger })
  const sent = app.pusher.trigger('chat', 'e', 1)
  await app.close()
  t.same(await sent, {})
  t.equal(logs.lines.filter((line) => /closeTimeout/.test(line.msg ?? '')).length, 0)
})

t.test('closeTimeout is checked at register time', async (t) => {
  for (const closeTimeout of [0, -1, 1.5, '100', Infinity]) {
    await t.rejects(buildApp(t, { closeTimeout: closeTimeout as number }), { code: 'FST_PUSHER_INVALID_OPTION', message: /"closeTimeout"/ }, String(closeTimeout))
  }
})
