// A CommonJS TypeScript consumer: `import = require`, default, named and namespace imports are all the plugin.
// Compiled as commonjs (with and without esModuleInterop) and as nodenext CommonJS (see tsconfig.*.json).
import Fastify = require('fastify')
import fastifyPusher = require('fastify-pusher')
import defaultImport from 'fastify-pusher'
import { fastifyPusher as named, PresenceWebhook, errors, memoryDedupeStore, type FastifyPusherOptions } from 'fastify-pusher'
import * as namespace from 'fastify-pusher'
import testingKit = require('fastify-pusher/testing')
import { pusherTestClient, signWebhook, type SentEvent } from 'fastify-pusher/testing'
import * as testingNamespace from 'fastify-pusher/testing'
import workerEntry = require('fastify-pusher/worker')
import { startWorker } from 'fastify-pusher/worker'
import otelEntry = require('fastify-pusher/otel')
import { prometheusMetrics } from 'fastify-pusher/prometheus'

declare module 'fastify-pusher' {
  interface PusherEvents { 'cjs.event': { n: number } }
}

export async function main (): Promise<void> {
  const app = Fastify.fastify()
  const options: fastifyPusher.FastifyPusherOptions & FastifyPusherOptions = { appId: '1', key: 'k', secret: 's' }
  await app.register(fastifyPusher, options)
  await app.register(defaultImport, { ...options, prefix: '/default' })
  await app.register(named, { ...options, prefix: '/named' })
  await app.register(fastifyPusher.default, { ...options, prefix: '/dot-default' })
  await app.register(fastifyPusher.fastifyPusher, { ...options, prefix: '/dot-named' })
  await app.register(namespace.fastifyPusher, { ...options, prefix: '/namespace' })
  // @ts-expect-error: the options are checked whatever the import style
  await app.register(fastifyPusher, { appId: 1n })
  const key: string = app.pusher.key
  const schemaType: string = PresenceWebhook.type + fastifyPusher.PresenceWebhook.type
  const code: string = new errors.WebhookSignatureError().code + new fastifyPusher.errors.WebhookSignatureError().code
  const store: fastifyPusher.WebhookDedupeStore = memoryDedupeStore({ maxEntries: 10 })

  // Events declared by augmenting the CommonJS entry reach the plugin's types.
  await app.pusher.trigger('chat', 'cjs.event', { n: 1 })
  // @ts-expect-error: the data of a declared event is checked
  await app.pusher.trigger('chat', 'cjs.event', { n: 'one' })

  const client = testingKit.pusherTestClient({ key: 'k' })
  const sent: SentEvent[] = pusherTestClient().sent.concat(testingNamespace.pusherTestClient().sent, client.sent)
  const signature: string = signWebhook({ key: 'k', secret: 's' }, '{}').headers['x-pusher-signature']
  const worker: Promise<{ close: () => Promise<void> }> = startWorker({ queue: { connection: {} } })
  const telemetry: fastifyPusher.PusherTelemetry = otelEntry.openTelemetry({ tracerProvider: false })
  const channelName: 'fastify-pusher.api' = fastifyPusher.diagnosticChannels.api
  console.log(key, schemaType, code, store, sent, signature, worker, workerEntry.startWorker, telemetry, channelName, prometheusMetrics)
}
