// An ES module consumer: default, named and namespace imports (nodenext ESM and bundler).
import Fastify from 'fastify'
import fastifyPusher, { fastifyPusher as named, PresenceWebhook, type FastifyPusherOptions } from 'fastify-pusher'
import * as namespace from 'fastify-pusher'
import { pusherTestClient, signWebhook, type SentEvent } from 'fastify-pusher/testing'
import * as testingKit from 'fastify-pusher/testing'
import { startWorker, type StartWorkerOptions } from 'fastify-pusher/worker'
import { openTelemetry, type OpenTelemetryOptions } from 'fastify-pusher/otel'
import { prometheusMetrics, type PrometheusOptions } from 'fastify-pusher/prometheus'

const app = Fastify()
const options: FastifyPusherOptions = { appId: '1', key: 'k', secret: 's' }
await app.register(fastifyPusher, options)
await app.register(named, { ...options, prefix: '/named' })
await app.register(namespace.default, { ...options, prefix: '/namespace-default' })
await app.register(namespace.fastifyPusher, { ...options, prefix: '/namespace' })
// @ts-expect-error: the options are checked whatever the import style
await app.register(fastifyPusher, { appId: 1n })
const key: string = app.pusher.key
const sent: SentEvent[] = pusherTestClient().sent.concat(testingKit.pusherTestClient().sent)
const signature: string = signWebhook({ key: 'k', secret: 's' }, '{}').headers['x-pusher-signature']
const workerOptions: StartWorkerOptions = { queue: { connection: {} }, logger: console }
const otelOptions: OpenTelemetryOptions = { meterProvider: false }
const promOptions: PrometheusOptions = {}
export { key, sent, signature, PresenceWebhook, startWorker, workerOptions, openTelemetry, prometheusMetrics, otelOptions, promOptions }
