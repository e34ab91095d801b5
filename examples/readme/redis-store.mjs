// README, "Several app instances": the sample between the markers, with what it assumes around it.
// Run by test/readme-samples.test.ts.
import assert from 'node:assert'
import Fastify from 'fastify'
import fastifyPusher from 'fastify-pusher'
import { signWebhook } from 'fastify-pusher/testing'
import { credentials, webhookSecret } from './assumed.mjs'

// REDIS_URL: the test starts a redis-server of its own on 127.0.0.1.
const app = Fastify()

// --- README sample ---
import Redis from 'ioredis'
import { redisDedupeStore } from 'fastify-pusher'

const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379')
await app.register(fastifyPusher, { ...credentials, webhookDedupe: { store: redisDedupeStore(redis) } })
app.addHook('onClose', async () => { await redis.quit() })
// --- end of README sample ---

let runs = 0
app.pusher.webhooks.on('channel_occupied', () => { runs++ })
const signed = signWebhook(webhookSecret, { events: [{ name: 'channel_occupied', channel: 'a' }] })
for (let i = 0; i < 2; i++) assert.equal((await app.inject({ method: 'POST', url: '/pusher/events/channel_existence', ...signed })).statusCode, 200)
assert.equal(runs, 1)
assert.ok((await redis.keys('fastify-pusher:webhook:*')).length > 0, 'the marks are in Redis')
await app.close()
