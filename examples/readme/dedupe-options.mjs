// README, "Exactly once": the sample between the markers, with what it assumes around it.
// Run by test/readme-samples.test.ts.
import assert from 'node:assert'
import Fastify from 'fastify'
import fastifyPusher from 'fastify-pusher'
import { credentials } from './assumed.mjs'

const app = Fastify()

// --- README sample ---
await app.register(fastifyPusher, { ...credentials, webhookDedupe: { ttlMs: 15 * 60_000 } })
// --- end of README sample ---

await app.ready()
assert.equal(typeof app.pusher.webhooks.on, 'function')
await app.close()
