// With no subscriber on the plugin's channels, no message is built: every builder of
// lib/telemetry/messages.ts is replaced by a getter that throws, and the whole workload (auto-batched
// and direct triggers, authorizations, a sign-in, webhooks with dedupe, the durable queue with its
// worker) still succeeds. The control: with a subscriber, the same getters are reached.
import diagnosticsChannel from 'node:diagnostics_channel'
import t, { type Test } from 'tap'
import { diagnosticChannels } from '../../index'
import { buildApp } from '../helpers/app'
import { fakeApi } from '../helpers/fake-api'
import { startRedis } from '../helpers/redis'
import { runWorkload, workloadApp } from './workload'

const messages = require('../../lib/telemetry/messages') as Record<string, unknown>
const BUILDERS = ['apiMessage', 'authMessage', 'webhookMessage', 'queueMessage', 'dispatchReport', 'batchOpenedAt', 'batchMessage']

/** Replaces every builder by a getter that records its name and throws; undone when the test ends. */
function trapBuilders (t: Test): Set<string> {
  const touched = new Set<string>()
  for (const name of BUILDERS) {
    const original = messages[name]
    t.type(original, 'function', `${name} is a builder of messages.ts`)
    Object.defineProperty(messages, name, {
      configurable: true,
      enumerable: true,
      get () {
        touched.add(name)
        throw new Error(`${name}: a message was built with no subscriber`)
      }
    })
    t.teardown(() => { Object.defineProperty(messages, name, { configurable: true, enumerable: true, writable: true, value: original }) })
  }
  return touched
}

async function queueApp (t: Test, worker: boolean) {
  const redis = await startRedis(t)
  const api = await fakeApi(t)
  const app = await buildApp(t, { ...api.options, queue: { connection: redis.client(), worker } })
  return { app, calls: api.calls }
}

t.test('no subscriber: nothing is built, and everything works', async (t) => {
  const names = Object.values(diagnosticChannels).flatMap((name) => [name, ...['start', 'end', 'asyncStart', 'asyncEnd', 'error'].map((event) => `tracing:${name}:${event}`)])
  t.notOk(names.some((name) => diagnosticsChannel.hasSubscribers(name)), 'no one listens')
  const touched = trapBuilders(t)
  const { app } = await workloadApp(t)
  await runWorkload(t, app)
  t.same(await app.pusher.trigger(['a', 'b'], 'direct', {}), {}, 'a trigger of two channels, not batched')
  const queued = await queueApp(t, true)
  await queued.app.ready()
  const { id } = await queued.app.pusher.queue.trigger('chat', 'queued', {})
  t.type(id, 'string', 'enqueued')
  for (let i = 0; i < 200 && queued.calls.length === 0; i++) await new Promise((resolve) => setTimeout(resolve, 25))
  t.equal(queued.calls.length, 1, 'the worker sent the job')
  t.same([...touched], [], 'no builder was reached')
})

t.test('the control: with a subscriber on each channel, the same builders are reached', async (t) => {
  const noop = (): void => {}
  const handlers = { start: noop, end: noop, asyncStart: noop, asyncEnd: noop, error: noop }
  for (const name of [diagnosticChannels.api, diagnosticChannels.auth, diagnosticChannels.webhook, diagnosticChannels.queue]) {
    const channel = diagnosticsChannel.tracingChannel(name)
    channel.subscribe(handlers)
    t.teardown(() => { channel.unsubscribe(handlers) })
  }
  diagnosticsChannel.subscribe(diagnosticChannels.batch, noop)
  t.teardown(() => { diagnosticsChannel.unsubscribe(diagnosticChannels.batch, noop) })
  const touched = trapBuilders(t)
  const { app } = await workloadApp(t)
  const settle = async (what: () => Promise<unknown>): Promise<void> => { try { await what() } catch {} }
  await settle(async () => await app.pusher.trigger('chat', 'batched', {}))
  await settle(async () => await app.pusher.trigger(['a', 'b'], 'direct', {}))
  await settle(async () => await app.inject({ method: 'POST', url: '/pusher/auth', payload: 'socket_id=1.1&channel_name=private-orders.1', headers: { 'content-type': 'application/x-www-form-urlencoded' } }))
  const { postWebhook } = await import('../helpers/app')
  const { WEBHOOK_BODY } = await import('./workload')
  await settle(async () => await postWebhook(app, 'presence', WEBHOOK_BODY))
  const queued = await queueApp(t, false)
  await settle(async () => await queued.app.pusher.queue.trigger('chat', 'queued', {}))
  t.same([...touched].sort(), ['apiMessage', 'authMessage', 'batchOpenedAt', 'dispatchReport', 'queueMessage'].sort(),
    'each builder the workload needs is reached (batchMessage comes after batchOpenedAt, which threw)')
})
