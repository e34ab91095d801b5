// README, "Observability", OpenTelemetry: the sample between the markers, with what it assumes around it
// (an OpenTelemetry SDK registered globally, as NodeSDK does; here the in-memory exporter of
// @opentelemetry/sdk-trace-base). Run by test/readme-samples.test.ts against a loopback stand-in for the API.
import assert from 'node:assert'
import { createServer } from 'node:http'
import { once } from 'node:events'
import Fastify from 'fastify'
import fastifyPusher from 'fastify-pusher'
import { trace } from '@opentelemetry/api'
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base'

const spans = new InMemorySpanExporter()
trace.setGlobalTracerProvider(new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(spans)] }))
const api = createServer((request, response) => { request.resume().on('end', () => response.end('{}')) }).listen(0, '127.0.0.1')
await once(api, 'listening')
const credentials = { appId: '1', key: 'key', secret: 'secret', host: '127.0.0.1', port: api.address().port, useTLS: false }
const app = Fastify()

// --- README sample ---
import { openTelemetry } from 'fastify-pusher/otel'

// Once your OpenTelemetry SDK is started: spans and metrics through its global providers
const telemetry = openTelemetry() // or openTelemetry({ tracerProvider, meterProvider })
await app.register(fastifyPusher, credentials)
app.addHook('onClose', async () => { telemetry.close() })
// --- end of README sample ---

await app.pusher.trigger('chat', 'message', { text: 'hi' })
const [span] = spans.getFinishedSpans()
assert.equal(span.name, 'send batch_events')
assert.equal(span.attributes['messaging.system'], 'pusher')
assert.equal(span.attributes['http.response.status_code'], 200)
await app.close()
api.close()
