// README, "Observability", the channels: the sample between the markers, with what it assumes around it.
// Run by test/readme-samples.test.ts: a loopback stand-in for the API answers each call.
import assert from 'node:assert'
import { createServer } from 'node:http'
import { once } from 'node:events'
import Fastify from 'fastify'
import fastifyPusher from 'fastify-pusher'

const api = createServer((request, response) => { request.resume().on('end', () => response.end('{}')) }).listen(0, '127.0.0.1')
await once(api, 'listening')
const credentials = { appId: '1', key: 'key', secret: 'secret', host: '127.0.0.1', port: api.address().port, useTLS: false }
const lines = []
const app = Fastify({ logger: { level: 'info', stream: { write: (line) => { lines.push(JSON.parse(line)) } } } })
await app.register(fastifyPusher, credentials)
const SLOW_MS = -1 // every call is "slow" here, so that the sample's log line is seen

// --- README sample ---
import diagnosticsChannel from 'node:diagnostics_channel'
import { diagnosticChannels } from 'fastify-pusher'

// Log each API call slower than SLOW_MS: timed from start to asyncEnd, with what it sent (never the data)
const started = new WeakMap()
diagnosticsChannel.tracingChannel(diagnosticChannels.api).subscribe({
  start: (message) => { started.set(message, performance.now()) },
  asyncEnd: (message) => {
    const ms = performance.now() - started.get(message)
    if (ms > SLOW_MS) app.log.warn({ ...message, ms }, 'slow Pusher API call')
  }
})
// Count the webhook events a handler failed on, by name
const failedEvents = new Map()
diagnosticsChannel.subscribe(diagnosticChannels.webhookEvent, ({ event, outcome }) => {
  if (outcome === 'failed') failedEvents.set(event, (failedEvents.get(event) ?? 0) + 1)
})
// --- end of README sample ---

await Promise.all([app.pusher.trigger('chat', 'message', { text: 'hi' }), app.pusher.trigger('chat', 'message', { text: 'there' })])
const slow = lines.filter((line) => line.msg === 'slow Pusher API call')
assert.equal(slow.length, 1, 'two triggers in one turn: one batch_events call')
assert.equal(slow[0].kind, 'batch_events')
assert.equal(slow[0].events, 2)
assert.equal(slow[0].status, 200)
assert.ok(!JSON.stringify(slow).includes('there'), 'no event data')
assert.equal(failedEvents.size, 0)
await app.close()
api.close()
