// README, "Webhooks": the sample between the markers, with what it assumes around it.
// Run by test/readme-samples.test.ts.
import assert from 'node:assert'
import Fastify from 'fastify'
import fastifyPusher from 'fastify-pusher'
import { signWebhook } from 'fastify-pusher/testing'
import { credentials, webhookSecret } from './assumed.mjs'

const presenceLog = { entries: [], async add (channel, userId) { this.entries.push([channel, userId]) } }
const app = Fastify()
await app.register(fastifyPusher, credentials)

// --- README sample ---
// One handler per event, typed by its name; several per name run in the order added.
app.pusher.webhooks.on('member_added', async (request, event, delivery) => {
  await presenceLog.add(event.channel, event.user_id)
})
app.pusher.webhooks.on('*', (request, event) => request.log.info({ event: event.name }, 'webhook'))
// Or one handler per category, called once per delivery with that category's events (as before).
app.pusher.webhooks.presence(async (request, payload) => { /* payload.events */ })
// --- end of README sample ---

const signed = signWebhook(webhookSecret, { events: [{ name: 'member_added', channel: 'presence-a', user_id: 'u1' }] })
assert.equal((await app.inject({ method: 'POST', url: '/pusher/events/presence', ...signed })).statusCode, 200)
assert.equal((await app.inject({ method: 'POST', url: '/pusher/events/presence', ...signed })).statusCode, 200)
assert.deepEqual(presenceLog.entries, [['presence-a', 'u1']], 'once, though delivered twice')
await app.close()
