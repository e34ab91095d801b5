import t from 'tap'
import type { FastifyInstance } from 'fastify'
import { signWebhook } from 'fastify-pusher/testing'
import { buildApp, captureLogs, fakeNow, KEY, SECRET } from '../helpers/app'

const events = [{ name: 'channel_occupied', channel: 'chat' }]
const post = async (app: FastifyInstance, pair: { key: string, secret: string }, timeMs = 1700000000000) =>
  await app.inject({ method: 'POST', url: '/pusher/events/channel_existence', ...signWebhook(pair, { time_ms: timeMs, events }) })

t.test('webhookKeys: a webhook signed with another key/secret pair is accepted; the key chooses the secret', async (t) => {
  const app = await buildApp(t, { webhookDedupe: false, webhookKeys: [{ key: 'NEWKEY', secret: 'NEWSECRET' }, { key: KEY, secret: 'ROTATED' }] })
  let runs = 0
  app.pusher.webhooks.on('channel_occupied', () => { runs++ })
  t.equal((await post(app, { key: KEY, secret: SECRET })).statusCode, 200, 'the app\'s own pair')
  t.equal((await post(app, { key: 'NEWKEY', secret: 'NEWSECRET' })).statusCode, 200, 'the new key')
  t.equal((await post(app, { key: KEY, secret: 'ROTATED' })).statusCode, 200, 'the app key with its next secret')
  t.equal(runs, 3)
  const crossed = await post(app, { key: 'NEWKEY', secret: SECRET })
  t.equal(crossed.statusCode, 403, 'a secret of another key')
  t.equal(crossed.json().code, 'FST_PUSHER_WEBHOOK_INVALID_SIGNATURE')
  const unknown = await post(app, { key: 'OTHER', secret: 'NEWSECRET' })
  t.equal(unknown.json().code, 'FST_PUSHER_WEBHOOK_INVALID_KEY')
  t.equal(runs, 3)
})

t.test('without webhookKeys, only the app\'s own pair', async (t) => {
  const app = await buildApp(t)
  app.pusher.webhooks.on('channel_occupied', () => {})
  t.equal((await post(app, { key: 'NEWKEY', secret: 'NEWSECRET' })).statusCode, 403)
  t.equal((await post(app, { key: KEY, secret: 'ROTATED' })).statusCode, 403)
})

t.test('webhookKeys is checked at register time, never echoing a secret', async (t) => {
  const bad: Array<[unknown, string]> = [
    ['NEWKEY:NEWSECRET', 'Invalid option "webhookKeys": must be a list of { key, secret }, got a string'],
    [['NEWSECRET'], 'Invalid option "webhookKeys[0]": must be an object { key, secret }'],
    [[{ key: 'NEWKEY' }], 'Invalid option "webhookKeys[0].secret": must be a non-empty string, got a undefined'],
    [[{ key: 'k', secret: 's' }, { key: '', secret: 'NEWSECRET' }], 'Invalid option "webhookKeys[1].key": must be a non-empty string, got a string'],
    [[{ key: 'NEWKEY', secret: 12345 }], 'Invalid option "webhookKeys[0].secret": must be a non-empty string, got a number']
  ]
  for (const [webhookKeys, message] of bad) {
    const error = await buildApp(t, { webhookKeys: webhookKeys as any }).then(() => undefined, (error: Error) => error)
    t.match(error, { code: 'FST_PUSHER_INVALID_OPTION', message })
    t.notMatch(error?.message, /NEWSECRET|12345/)
  }
})

t.test('webhookMaxAgeMs: older than the window, or more than 60 s ahead, is a logged 403 after the signature check', async (t) => {
  const now = fakeNow(t, 1_800_000_000_000)
  const logs = captureLogs()
  const app = await buildApp(t, { webhookDedupe: false, webhookMaxAgeMs: 300_000 }, { logger: logs.logger })
  let runs = 0
  app.pusher.webhooks.on('channel_occupied', () => { runs++ })
  const own = { key: KEY, secret: SECRET }
  t.equal((await post(app, own, now.value - 300_000)).statusCode, 200, 'exactly maxAge old')
  t.equal((await post(app, own, now.value + 60_000)).statusCode, 200, 'exactly 60 s ahead')
  t.equal(runs, 2)
  for (const timeMs of [now.value - 300_001, now.value + 60_001, 0]) {
    const res = await post(app, own, timeMs)
    t.equal(res.statusCode, 403, String(timeMs - now.value))
    t.same(res.json(), { statusCode: 403, code: 'FST_PUSHER_WEBHOOK_EXPIRED', error: 'Forbidden', message: 'The webhook is outside the replay window (its time_ms is too old or too far in the future)' })
  }
  t.equal(runs, 2)
  t.equal(logs.lines.filter((line) => line.msg === 'fastify-pusher: a webhook outside the replay window was refused' && line.level === 40).length, 3)
  const forged = await app.inject({ method: 'POST', url: '/pusher/events/channel_existence', payload: JSON.stringify({ time_ms: 0, events }), headers: { 'content-type': 'application/json', 'x-pusher-key': KEY, 'x-pusher-signature': 'f'.repeat(64) } })
  t.equal(forged.json().code, 'FST_PUSHER_WEBHOOK_INVALID_SIGNATURE', 'the signature is checked first')
})

t.test('without webhookMaxAgeMs any time_ms is accepted; the option is checked at register time', async (t) => {
  const app = await buildApp(t)
  app.pusher.webhooks.on('channel_occupied', () => {})
  t.equal((await post(app, { key: KEY, secret: SECRET }, 1)).statusCode, 200)
  for (const webhookMaxAgeMs of [0, -5, 1.5, '300000']) {
    await t.rejects(buildApp(t, { webhookMaxAgeMs: webhookMaxAgeMs as any }), { code: 'FST_PUSHER_INVALID_OPTION', message: /^Invalid option "webhookMaxAgeMs": must be a whole number from 1 to/ })
  }
})
