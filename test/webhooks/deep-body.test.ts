// A signed delivery nested thousands of levels deep (soketi sends client_event data as the object
// itself): a 400 FST_PUSHER_WEBHOOK_INVALID_JSON in the plugin's own words, never a 500 with the
// engine's "Maximum call stack size exceeded" that Pusher would retry for 5 minutes.
import t from 'tap'
import { buildApp, postForm, postWebhook } from '../helpers/app'

const nested = (depth: number): string => '{"a":'.repeat(depth) + '1' + '}'.repeat(depth)
const delivery = (data: string): string =>
  `{"time_ms":1,"events":[{"name":"client_event","channel":"private-a","event":"client-x","socket_id":"1.1","data":${data}}]}`

t.test('client_event data nested 10,000 levels deep: 400, no handler runs, nothing internal', async (t) => {
  const app = await buildApp(t)
  let calls = 0
  app.pusher.webhooks.on('client_event', () => { calls++ })
  const res = await postWebhook(app, 'client', delivery(nested(10_000)))
  t.equal(res.statusCode, 400)
  t.same(res.json(), { statusCode: 400, code: 'FST_PUSHER_WEBHOOK_INVALID_JSON', error: 'Bad Request', message: 'Webhook body is not valid JSON: an event\'s data is nested too deep' })
  t.equal(calls, 0)
  t.equal((await postWebhook(app, 'client', delivery(nested(100)))).statusCode, 200, 'nested 100 levels: handled')
  t.equal(calls, 1)
})

t.test('a deep body that secure-json-parse scans (it holds a "constructor" key): 400 in the plugin\'s words, or handled', async (t) => {
  const app = await buildApp(t)
  app.pusher.webhooks.on('client_event', () => {})
  const res = await postWebhook(app, 'client', delivery('{"constructor":1,"b":' + nested(10_000) + '}'))
  t.equal(res.statusCode, 400)
  t.notMatch(res.body, /Maximum call stack|RangeError/)
  t.equal(res.json().code, 'FST_PUSHER_WEBHOOK_INVALID_JSON')
})

t.test('an auth request whose JSON body is nested 10,000 levels deep: a 4xx naming what is wrong, nothing internal', async (t) => {
  const app = await buildApp(t)
  app.pusher.auth(() => true)
  for (const body of [`{"socket_id":"1.1","channel_name":${nested(10_000)}}`, `{"socket_id":"1.1","__proto__x":1,"channel_name":${nested(10_000)}}`, `{"constructor":{},"x":${nested(10_000)}}`]) {
    const res = await app.inject({ method: 'POST', url: '/pusher/auth', payload: body, headers: { 'content-type': 'application/json' } })
    t.ok(res.statusCode >= 400 && res.statusCode < 500, `${res.statusCode}: ${res.body.slice(0, 200)}`)
    t.notMatch(res.body, /Maximum call stack|RangeError/)
    t.match(res.json().code, /^FST_/)
  }
  const form = await postForm(app, '/pusher/auth', 'socket_id=1.1&channel_name=' + '['.repeat(10_000))
  t.equal(form.statusCode, 400)
})
