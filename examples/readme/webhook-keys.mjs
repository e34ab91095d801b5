// README, "Key rotation and replay window": the sample between the markers, with what it assumes around it.
// Run by test/readme-samples.test.ts.
import assert from 'node:assert'
import Fastify from 'fastify'
import fastifyPusher from 'fastify-pusher'
import { signWebhook } from 'fastify-pusher/testing'
import { credentials } from './assumed.mjs'

const app = Fastify()

// --- README sample ---
await app.register(fastifyPusher, {
  ...credentials,
  webhookKeys: [{ key: 'NEW_KEY', secret: 'NEW_SECRET' }, { key: 'APP_KEY', secret: 'NEXT_SECRET' }],
  webhookMaxAgeMs: 5 * 60_000
})
// --- end of README sample ---

app.pusher.webhooks.on('channel_occupied', () => {})
const post = (keys, timeMs) => app.inject({ method: 'POST', url: '/pusher/events', ...signWebhook(keys, { time_ms: timeMs, events: [{ name: 'channel_occupied', channel: 'a' }] }) })
assert.equal((await post({ key: 'NEW_KEY', secret: 'NEW_SECRET' }, Date.now())).statusCode, 200)
assert.equal((await post({ key: 'APP_KEY', secret: 'NEXT_SECRET' }, Date.now())).statusCode, 200)
assert.equal((await post({ key: 'NEW_KEY', secret: 'OLD_SECRET' }, Date.now())).json().code, 'FST_PUSHER_WEBHOOK_INVALID_SIGNATURE')
assert.equal((await post({ key: 'NEW_KEY', secret: 'NEW_SECRET' }, Date.now() - 6 * 60_000)).json().code, 'FST_PUSHER_WEBHOOK_EXPIRED')
await app.close()
