// The small pieces of lib/telemetry on their own: what the workloads cannot reach.
import diagnosticsChannel from 'node:diagnostics_channel'
import t from 'tap'
import { diagnosticChannels } from '../../index'
import { apiMessage, batchMessage } from '../../lib/telemetry/messages'
import { subscribeMetrics, type MetricSink } from '../../lib/telemetry/subscribe'
import { errorCode } from '../../lib/telemetry/trace'

t.test('apiMessage: the path\'s first segment is the kind; an unknown one is "other"', async (t) => {
  t.same(apiMessage('POST', '/users/ann/terminate_connections', undefined, 0, 1), { method: 'POST', kind: 'users', events: 0, channels: 0, bytes: 0, attempt: 1 })
  t.equal(apiMessage('GET', '/something/new', undefined, 0, 1).kind, 'other')
  t.same(apiMessage('POST', '/events', { name: 'e', channels: ['a', 'b', 'c'], data: '{}' }, 40, 2), { method: 'POST', kind: 'events', events: 1, channels: 3, bytes: 40, attempt: 2 })
})

t.test('batchMessage: a batch opened before anyone listened has no wait', async (t) => {
  t.same(batchMessage(3, 0, 0, 1), { size: 3, waitMs: 0, queued: 0, inFlight: 1 })
  t.ok(batchMessage(3, performance.now() - 5, 0, 1).waitMs >= 5)
})

t.test('errorCode: an error\'s code when it looks like one, else ERROR (never its text)', async (t) => {
  t.equal(errorCode(Object.assign(new Error('x'), { code: 'FST_PUSHER_API_ERROR' })), 'FST_PUSHER_API_ERROR')
  t.equal(errorCode(Object.assign(new Error('x'), { code: 'ECONNRESET' })), 'ECONNRESET')
  t.equal(errorCode(Object.assign(new Error('x'), { code: 'user data: 123456.7654321' })), 'ERROR')
  t.equal(errorCode(Object.assign(new Error('x'), { code: 'X'.repeat(65) })), 'ERROR')
  t.equal(errorCode(new Error('no code')), 'ERROR')
  t.equal(errorCode(null), 'ERROR')
})

t.test('subscribeMetrics: an operation that started before the subscriber is not recorded half', async (t) => {
  const recorded: string[] = []
  const sink: MetricSink = {
    api: () => { recorded.push('api') },
    apiInFlight: (delta) => { recorded.push(`inFlight ${delta}`) },
    auth: () => {},
    webhook: () => {},
    webhookEvent: () => {},
    queue: () => {},
    batch: () => {}
  }
  const channel = diagnosticsChannel.tracingChannel(diagnosticChannels.api)
  const early = { method: 'POST', kind: 'events', events: 1, channels: 1, bytes: 1, attempt: 1 }
  const noop = (): void => {}
  const other = { start: noop, end: noop, asyncStart: noop, asyncEnd: noop, error: noop }
  channel.subscribe(other) // the operation is traced: someone listened before
  channel.start.publish(early)
  const unsubscribe = subscribeMetrics(sink)
  channel.asyncEnd.publish(early)
  t.same(recorded, [], 'its end alone is ignored: no duration, and in flight not decremented')
  const late = { ...early }
  channel.start.publish(late)
  channel.asyncEnd.publish(late)
  t.same(recorded, ['inFlight 1', 'inFlight -1', 'api'])
  unsubscribe()
  channel.unsubscribe(other)
  channel.start.publish({ ...early })
  t.equal(recorded.length, 3, 'nothing once unsubscribed')
})
