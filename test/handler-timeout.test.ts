import t from 'tap'
import { signWebhook } from 'fastify-pusher/testing'
import { buildApp, captureLogs, KEY, postForm, SECRET } from './helpers/app'

const never = async (): Promise<never> => await new Promise(() => {})
const later = async <T>(ms: number, value: T): Promise<T> => await new Promise((resolve) => setTimeout(() => { resolve(value) }, ms))

t.test('a handler that does not answer within handlerTimeout: 503 FST_PUSHER_HANDLER_TIMEOUT, logged with its name', async (t) => {
  const logs = captureLogs()
  const app = await buildApp(t, { handlerTimeout: 50 }, { logger: logs.logger })
  app.pusher.auth(never)
  const res = await postForm(app, '/pusher/auth', 'socket_id=1.1&channel_name=private-a')
  t.equal(res.statusCode, 503)
  t.same(res.json(), { statusCode: 503, code: 'FST_PUSHER_HANDLER_TIMEOUT', error: 'Service Unavailable', message: 'The auth handler did not answer within 50 ms' })
  t.ok(logs.lines.some((line) => line.level === 50 && /The auth handler did not answer within 50 ms/.test(JSON.stringify(line))), 'logged at error level')
})

t.test('every handler the auth routes call is bounded: rules, channelData, userAuth', async (t) => {
  const app = await buildApp(t, { handlerTimeout: 30 })
  app.pusher.channel('slow.{id}', never)
  app.pusher.channel('members', () => true)
  app.pusher.channelData(never)
  app.pusher.userAuth(never)
  for (const [url, body, name] of [
    ['/pusher/auth', 'socket_id=1.1&channel_name=private-slow.1', 'channel rule "slow.{id}"'],
    ['/pusher/auth', 'socket_id=1.1&channel_name=presence-members', 'channelData'],
    ['/pusher/user-auth', 'socket_id=1.1', 'userAuth']
  ]) {
    const res = await postForm(app, url, body)
    t.equal(res.statusCode, 503, name)
    t.equal(res.json().message, `The ${name} handler did not answer within 30 ms`)
  }
  const batch = await postForm(app, '/pusher/auth', 'socket_id=1.1&channel_name[0]=private-slow.1&channel_name[1]=presence-members')
  t.equal(batch.statusCode, 200, 'a batch answers per channel')
  t.same(Object.fromEntries(Object.entries(batch.json()).map(([name, answer]: [string, any]) => [name, answer.status])), { 'private-slow.1': 503, 'presence-members': 503 })
})

t.test('a result that arrives later is ignored, and a late failure is no unhandled rejection', async (t) => {
  const app = await buildApp(t, { handlerTimeout: 20 })
  let calls = 0
  app.pusher.auth(async () => { calls++; return await later(60, calls === 1) })
  app.pusher.userAuth(async () => { await later(60, null); throw new Error('late failure') })
  t.equal((await postForm(app, '/pusher/auth', 'socket_id=1.1&channel_name=private-a')).statusCode, 503)
  t.equal((await postForm(app, '/pusher/user-auth', 'socket_id=1.1')).statusCode, 503)
  await later(100, null)
  t.equal((await postForm(app, '/pusher/user-auth', 'socket_id=1.1')).statusCode, 503, 'the app keeps serving')
})

t.test('handlers that answer in time, or synchronously, are not affected; handlerTimeout 0 is no bound', async (t) => {
  const app = await buildApp(t, { handlerTimeout: 200 })
  app.pusher.auth(async () => await later(10, true))
  t.equal((await postForm(app, '/pusher/auth', 'socket_id=1.1&channel_name=private-a')).statusCode, 200)
  app.pusher.auth(() => true)
  t.equal((await postForm(app, '/pusher/auth', 'socket_id=1.1&channel_name=private-a')).statusCode, 200)
  const unbounded = await buildApp(t, { handlerTimeout: 0 })
  unbounded.pusher.auth(async () => await later(80, true))
  t.equal((await postForm(unbounded, '/pusher/auth', 'socket_id=1.1&channel_name=private-a')).statusCode, 200)
  const rejected = await buildApp(t, { handlerTimeout: 200 })
  rejected.pusher.auth(async () => { throw new Error('no') })
  t.equal((await postForm(rejected, '/pusher/auth', 'socket_id=1.1&channel_name=private-a')).json().code, 'FST_PUSHER_HANDLER_FAILED', 'a failure in time is still a failure')
})

t.test('a webhook handler past handlerTimeout: 500 (Pusher retries), and the retry runs it again', async (t) => {
  const logs = captureLogs()
  const app = await buildApp(t, { handlerTimeout: 30 }, { logger: logs.logger })
  let slow = true
  let runs = 0
  app.pusher.webhooks.on('channel_occupied', async () => { runs++; if (slow) await never() })
  app.pusher.webhooks.cacheMiss(never)
  const signed = signWebhook({ key: KEY, secret: SECRET }, { events: [{ name: 'channel_occupied', channel: 'a' }] })
  const res = await app.inject({ method: 'POST', url: '/pusher/events/channel_existence', ...signed })
  t.equal(res.statusCode, 500)
  t.same(res.json(), { statusCode: 500, code: 'FST_PUSHER_HANDLER_TIMEOUT', error: 'Internal Server Error', message: 'The webhooks.on(\'channel_occupied\') handler did not answer within 30 ms' })
  slow = false
  t.equal((await app.inject({ method: 'POST', url: '/pusher/events/channel_existence', ...signed })).statusCode, 200)
  t.equal(runs, 2)
  const miss = await app.inject({ method: 'POST', url: '/pusher/events/cache_miss', ...signWebhook({ key: KEY, secret: SECRET }, { events: [{ name: 'cache_miss', channel: 'cache-a' }] }) })
  t.equal(miss.json().message, 'The cacheMiss webhook handler did not answer within 30 ms')
})

t.test('handlerTimeout is checked at register time', async (t) => {
  for (const handlerTimeout of [-1, 1.5, '100', 2 ** 31]) {
    await t.rejects(buildApp(t, { handlerTimeout: handlerTimeout as any }), { code: 'FST_PUSHER_INVALID_OPTION', message: /^Invalid option "handlerTimeout": must be a whole number of milliseconds up to 2147483647 \(0 for none\), got a (number|string)$/ })
  }
})
