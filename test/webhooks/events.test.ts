import t from 'tap'
import type { FastifyInstance } from 'fastify'
import { signWebhook } from 'fastify-pusher/testing'
import { buildApp, captureLogs, INTERNAL, KEY, SECRET } from '../helpers/app'

const occupied = { name: 'channel_occupied', channel: 'chat' }
const vacated = { name: 'channel_vacated', channel: 'chat' }
const added = { name: 'member_added', channel: 'presence-a', user_id: 'u1' }
const removed = { name: 'member_removed', channel: 'presence-a', user_id: 'u1' }
const typing = { name: 'client_event', channel: 'private-a', event: 'client-typing', data: '{"on":true}', socket_id: '1.42' }
const count = { name: 'subscription_count', channel: 'chat', subscription_count: 3 }
const miss = { name: 'cache_miss', channel: 'cache-news' }
const future = { name: 'channel_renamed', channel: 'chat', to: 'talk' }
const ALL = [occupied, added, typing, count, miss, future, removed, vacated]

/** POST a delivery of `events`, signed with the app's key and secret (dedupe off unless the app has it). */
async function deliver (app: FastifyInstance, path: string, events: unknown[], timeMs = 1700000000000) {
  return await app.inject({ method: 'POST', url: `/pusher/events${path}`, ...signWebhook({ key: KEY, secret: SECRET }, { time_ms: timeMs, events }) })
}

t.test('each category route serves its own events of a mixed delivery, once, and ignores the rest', async (t) => {
  const app = await buildApp(t, { webhookDedupe: false })
  const calls: Array<[string, unknown]> = []
  app.pusher.webhooks.channelExistence((request, payload) => { calls.push(['channelExistence', payload]) })
  app.pusher.webhooks.presence((request, payload) => { calls.push(['presence', payload]) })
  app.pusher.webhooks.client((request, payload) => { calls.push(['client', payload]) })
  app.pusher.webhooks.subscriptionCount((request, payload) => { calls.push(['subscriptionCount', payload]) })
  app.pusher.webhooks.cacheMiss((request, payload) => { calls.push(['cacheMiss', payload]) })
  app.pusher.webhooks.on('*', (request, event) => { calls.push(['*', event.name]) })

  const expected: Record<string, [unknown[], string]> = {
    '/channel_existence': [[occupied, vacated], 'channelExistence'],
    '/presence': [[added, removed], 'presence'],
    '/client': [[typing], 'client'],
    '/subscription_count': [[count], 'subscriptionCount'],
    '/cache_miss': [[miss], 'cacheMiss']
  }
  for (const [path, [events, handler]] of Object.entries(expected)) {
    calls.length = 0
    const res = await deliver(app, path, ALL)
    t.equal(res.statusCode, 200, path)
    t.same(res.json(), { ok: true })
    t.same(calls, [[handler, { time_ms: 1700000000000, events }], ...events.map((event) => ['*', (event as { name: string }).name])], path)
  }
})

t.test('POST /events serves every event: each category handler once, then each event in payload order, unknown names to "*"', async (t) => {
  const app = await buildApp(t, { webhookDedupe: false })
  const calls: unknown[] = []
  app.pusher.webhooks.presence((request, payload) => { calls.push(['presence', payload.events.length]) })
  app.pusher.webhooks.cacheMiss((request, payload) => { calls.push(['cacheMiss', payload.events.length]) })
  app.pusher.webhooks.on('member_added', (request, event, delivery) => { calls.push(['member_added', event.user_id, delivery.events.length]) })
  app.pusher.webhooks.on('*', (request, event) => { calls.push(['*', event.name]) })
  app.pusher.webhooks.on('member_added', async (request, event) => { calls.push(['member_added again', event.channel]) })
  const res = await deliver(app, '', ALL)
  t.equal(res.statusCode, 200)
  t.same(calls, [
    ['presence', 2], ['cacheMiss', 1],
    ['*', 'channel_occupied'],
    ['member_added', 'u1', 8], ['*', 'member_added'], ['member_added again', 'presence-a'],
    ['*', 'client_event'], ['*', 'subscription_count'], ['*', 'cache_miss'], ['*', 'channel_renamed'],
    ['*', 'member_removed'], ['*', 'channel_vacated']
  ])
})

t.test('every handler of one event settles before the next event\'s handlers start', async (t) => {
  const app = await buildApp(t, { webhookDedupe: false })
  const log: string[] = []
  const slow = (label: string) => async (request: unknown, event: { name: string, channel: string }) => {
    log.push(`${label} start ${event.channel}`)
    await new Promise((resolve) => setTimeout(resolve, 5))
    log.push(`${label} end ${event.channel}`)
  }
  app.pusher.webhooks.on('channel_occupied', slow('a'))
  app.pusher.webhooks.on('channel_occupied', slow('b'))
  const res = await deliver(app, '/channel_existence', [{ ...occupied, channel: 'one' }, { ...occupied, channel: 'two' }])
  t.equal(res.statusCode, 200)
  t.same(log, ['a start one', 'a end one', 'b start one', 'b end one', 'a start two', 'a end two', 'b start two', 'b end two'])
})

t.test('events are normalised: client_event data is JSON text, user_id a string', async (t) => {
  const app = await buildApp(t, { webhookDedupe: false })
  const seen: unknown[] = []
  app.pusher.webhooks.on('client_event', (request, event) => { seen.push([event.data, event.user_id]) })
  app.pusher.webhooks.on('member_added', (request, event) => { seen.push(event.user_id) })
  app.pusher.webhooks.client((request, payload) => { seen.push(payload.events.map((event) => event.data)) })
  const events = [
    { ...typing, data: { on: true, n: [1, 'ü'] }, user_id: 42 },
    { ...typing, data: 'already text' },
    { ...typing, data: null },
    { ...typing, data: 7 }
  ]
  t.equal((await deliver(app, '/client', events)).statusCode, 200)
  t.equal((await deliver(app, '/presence', [{ ...added, user_id: 7 }])).statusCode, 200)
  t.same(seen, [
    ['{"on":true,"n":[1,"ü"]}', 'already text', 'null', '7'],
    ['{"on":true,"n":[1,"ü"]}', '42'], ['already text', undefined], ['null', undefined], ['7', undefined],
    '7'
  ])
})

t.test('unknown event names: to "*" handlers at /events, otherwise ignored and logged at debug, never a 400', async (t) => {
  const logs = captureLogs()
  logs.logger.level = 'debug'
  const app = await buildApp(t, { webhookDedupe: false }, { logger: logs.logger })
  const seen: unknown[] = []
  app.pusher.webhooks.presence(() => { seen.push('presence') })
  t.equal((await deliver(app, '', [future])).statusCode, 200, 'nothing to do at /events without "*"')
  t.equal((await deliver(app, '/presence', [future, added])).statusCode, 200)
  t.same(seen, ['presence'])
  t.equal(logs.lines.filter((line) => line.msg === 'fastify-pusher: a webhook event of an unknown name was ignored' && line.event === 'channel_renamed' && line.level === 20).length, 2)
  app.pusher.webhooks.on('*', (request, event) => { seen.push(event) })
  t.equal((await deliver(app, '', [future])).statusCode, 200)
  t.same(seen[1], future)
})

t.test('a live route with nothing to do for a delivery answers 200', async (t) => {
  const app = await buildApp(t, { webhookDedupe: false })
  let called = false
  app.pusher.webhooks.presence(() => { called = true })
  const res = await deliver(app, '/presence', [occupied, typing])
  t.equal(res.statusCode, 200)
  t.equal((await deliver(app, '/presence', [])).statusCode, 200)
  t.notOk(called)
})

t.test('404 unless the route has a category handler or an on handler for its events; checked before the body', async (t) => {
  const app = await buildApp(t)
  const paths = ['/channel_existence', '/presence', '/client', '/subscription_count', '/cache_miss', '']
  const statuses = async (): Promise<number[]> => await Promise.all(paths.map(async (path) =>
    (await app.inject({ method: 'POST', url: `/pusher/events${path}`, payload: 'garbage', headers: { 'content-type': 'text/plain' } })).statusCode))
  t.same(await statuses(), [404, 404, 404, 404, 404, 404])
  const res = await app.inject({ method: 'POST', url: '/pusher/events/presence' })
  t.same(res.json(), {
    statusCode: 404,
    code: 'FST_PUSHER_NO_WEBHOOK_HANDLER',
    error: 'Not Found',
    message: 'No webhook handler is set for presence events (webhooks.presence, or webhooks.on(\'member_added\' | \'member_removed\' | \'*\'))'
  })
  app.pusher.webhooks.on('member_removed', () => {})
  t.same(await statuses(), [404, 403, 404, 404, 404, 403], 'presence and /events now check the signature')
  app.pusher.webhooks.cacheMiss(() => {})
  t.same(await statuses(), [404, 403, 404, 404, 403, 403])
  app.pusher.webhooks.on('*', () => {})
  t.same(await statuses(), [403, 403, 403, 403, 403, 403])
})

t.test('/events is live with a category handler alone', async (t) => {
  const app = await buildApp(t)
  app.pusher.webhooks.subscriptionCount(() => {})
  t.equal((await deliver(app, '', [count])).statusCode, 200)
})

t.test('on() refuses names it does not know and handlers that are not functions, at declaration', async (t) => {
  const app = await buildApp(t)
  t.throws(() => { app.pusher.webhooks.on('member_add' as 'member_added', () => {}) }, {
    code: 'FST_PUSHER_INVALID_WEBHOOK_EVENT',
    message: 'webhooks.on("member_add"): not a webhook event; use one of channel_occupied, channel_vacated, member_added, member_removed, client_event, subscription_count, cache_miss, *'
  })
  t.throws(() => { app.pusher.webhooks.on(42 as unknown as 'member_added', () => {}) }, { code: 'FST_PUSHER_INVALID_WEBHOOK_EVENT', message: /webhooks\.on\(number\)/ })
  t.throws(() => { app.pusher.webhooks.on('member_added', 'nope' as any) }, { code: 'FST_PUSHER_INVALID_HANDLER', message: 'The webhooks.on(\'member_added\') handler must be a function, got string' })
  t.throws(() => { app.pusher.webhooks.cacheMiss(undefined as any) }, { code: 'FST_PUSHER_INVALID_HANDLER' })
})

t.test('an on handler that throws: 500 without its message, logged; a thrown 4xx passes through', async (t) => {
  const logs = captureLogs()
  const app = await buildApp(t, { webhookDedupe: false }, { logger: logs.logger })
  app.pusher.webhooks.on('channel_occupied', () => { throw new Error(`disk full, ${INTERNAL}`) })
  app.pusher.webhooks.on('channel_vacated', async () => { throw new Error('second failure') })
  const res = await deliver(app, '/channel_existence', [occupied, vacated])
  t.equal(res.statusCode, 500)
  t.same(res.json(), { statusCode: 500, code: 'FST_PUSHER_HANDLER_FAILED', error: 'Internal Server Error', message: 'The webhooks.on(\'channel_occupied\') handler failed' })
  t.match(logs.text(), 'disk full')
  t.match(logs.text(), 'second failure', 'every failure is logged')
  app.pusher.webhooks.on('cache_miss', () => { throw Object.assign(new Error('gone'), { statusCode: 410 }) })
  t.equal((await deliver(app, '/cache_miss', [miss])).statusCode, 410)
})

t.test('known events are validated: a malformed one is a 400 on every route', async (t) => {
  const app = await buildApp(t)
  app.pusher.webhooks.on('*', () => {})
  const bad = [
    { name: 'subscription_count', channel: 'chat', subscription_count: '3' },
    { name: 'subscription_count', channel: 'chat', subscription_count: -1 },
    { name: 'cache_miss' },
    { name: 'member_added', channel: 'presence-a', user_id: true },
    { name: 'client_event', channel: 'a', event: 'client-x', socket_id: '1.1' }
  ]
  for (const event of bad) {
    for (const path of ['', '/presence']) {
      const res = await deliver(app, path, [occupied, event])
      t.equal(res.statusCode, 400, `${path} ${JSON.stringify(event)}`)
      t.equal(res.json().code, 'FST_ERR_VALIDATION')
      t.match(res.json().message, 'body/events/1')
    }
  }
})
