// README, "Observability", Prometheus: the sample between the markers, with what it assumes around it.
// Run by test/readme-samples.test.ts against a loopback stand-in for the API.
import assert from 'node:assert'
import { createServer } from 'node:http'
import { once } from 'node:events'
import Fastify from 'fastify'
import fastifyPusher from 'fastify-pusher'

const api = createServer((request, response) => { request.resume().on('end', () => response.end('{}')) }).listen(0, '127.0.0.1')
await once(api, 'listening')
const credentials = { appId: '1', key: 'key', secret: 'secret', host: '127.0.0.1', port: api.address().port, useTLS: false }
const app = Fastify()
await app.register(fastifyPusher, credentials)

// --- README sample ---
import { Counter, Registry, collectDefaultMetrics } from 'prom-client'
import { prometheusMetrics } from 'fastify-pusher/prometheus'

const registry = new Registry()
collectDefaultMetrics({ register: registry }) // your own metrics ...
const orders = new Counter({ name: 'app_orders_total', help: 'Orders placed', registers: [registry] })
const pusherMetrics = prometheusMetrics({ registry }) // ... and the plugin's, in one registry
app.addHook('onClose', async () => { pusherMetrics.close() })

app.get('/metrics', async (request, reply) => reply.type(registry.contentType).send(await registry.metrics()))
// --- end of README sample ---

orders.inc()
await app.pusher.trigger('chat', 'message', { text: 'hi' })
const text = (await app.inject('/metrics')).body
assert.match(text, /^app_orders_total 1$/m)
assert.match(text, /^process_cpu_user_seconds_total /m)
assert.match(text, /^pusher_events_sent_total 1$/m)
assert.match(text, /^pusher_api_requests_total\{operation="batch_events",status="200"\} 1$/m)
await app.close()
api.close()
