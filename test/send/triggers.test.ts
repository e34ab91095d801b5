// trigger and triggerBatch: auto-batching, splitting, checks before sending, close.
import t from 'tap'
import { createBatchQueue, type BatchEvent } from '../../lib/send/batch-queue'
import { buildApp, checkedFastify } from '../helpers/app'
import { fakeApi } from '../helpers/fake-api'

t.test('triggers to one plain channel in one turn go out as batch_events calls of 10, in order', async (t) => {
  const api = await fakeApi(t)
  const app = await buildApp(t, api.options)
  const answers = await Promise.all(Array.from({ length: 25 }, async (_, i) => await app.pusher.trigger(`chat-${i % 3}`, 'message', { i }, i === 4 ? { socket_id: '1.2' } : undefined)))
  t.same(answers, new Array(25).fill({}))
  t.same(api.calls.map((call) => [call.path, call.body.batch.length]), [['/batch_events', 10], ['/batch_events', 10], ['/batch_events', 5]])
  const sent = api.calls.flatMap((call) => call.body.batch)
  t.same(sent.map((event: any) => JSON.parse(event.data).i), Array.from({ length: 25 }, (_, i) => i), 'in the order triggered')
  t.same(sent[4], { channel: 'chat-1', name: 'message', data: '{"i":4}', socket_id: '1.2' })
  t.same(sent[0], { channel: 'chat-0', name: 'message', data: '{"i":0}' })
})

t.test('batchSize sets the size of a batch; batching: false sends each trigger on its own', async (t) => {
  const api = await fakeApi(t)
  const app = await buildApp(t, { ...api.options, batchSize: 4 })
  await Promise.all(Array.from({ length: 9 }, async (_, i) => await app.pusher.trigger('chat', 'e', i)))
  t.same(api.calls.map((call) => call.body.batch.length), [4, 4, 1])
  const single = await fakeApi(t)
  const unbatched = await buildApp(t, { ...single.options, batching: false })
  await Promise.all([unbatched.pusher.trigger('chat', 'e', 1), unbatched.pusher.trigger('chat', 'e', 2)])
  t.same(single.calls.map((call) => call.path), ['/events', '/events'])
})

t.test('encrypted channels, info and several channels go straight to /events', async (t) => {
  const api = await fakeApi(t, (call) => ({ body: call.body.info !== undefined ? { channels: { chat: { subscription_count: 3 } } } : {} }))
  const app = await buildApp(t, api.options)
  await app.pusher.trigger('private-encrypted-x', 'e', 1)
  t.same(await app.pusher.trigger('chat', 'e', 1, { info: 'subscription_count' }), { channels: { chat: { subscription_count: 3 } } })
  await app.pusher.trigger(['a', 'b'], 'e', 1)
  t.same(api.calls.map((call) => call.path), ['/events', '/events', '/events'])
})

t.test('each caller gets its own event\'s outcome; a refused batch rejects each of its callers', async (t) => {
  const api = await fakeApi(t, (call) => call.body.batch.some((event: any) => event.name === 'bad')
    ? { body: { error: 'refused', code: 400 } }
    : { body: { batch: call.body.batch.map((event: any) => ({ subscription_count: Number(event.channel.slice(1)) })) } })
  const app = await buildApp(t, { ...api.options, batchSize: 2 })
  const outcomes = await Promise.allSettled([
    app.pusher.trigger('c1', 'ok', 1), app.pusher.trigger('c2', 'ok', 2),
    app.pusher.trigger('c3', 'bad', 3), app.pusher.trigger('c4', 'ok', 4)
  ])
  t.same(outcomes.slice(0, 2), [{ status: 'fulfilled', value: { subscription_count: 1 } }, { status: 'fulfilled', value: { subscription_count: 2 } }])
  for (const outcome of outcomes.slice(2)) t.match(outcome, { status: 'rejected', reason: { code: 'FST_PUSHER_API_ERROR', statusCode: 400 } })
  t.equal((outcomes[2] as PromiseRejectedResult).reason, (outcomes[3] as PromiseRejectedResult).reason, 'the same error')
})

t.test('the queue: flushed at batchSize at once, else when the turn ends; at most maxInFlight calls, FIFO', async (t) => {
  const sent: BatchEvent[][] = []
  const finish: Array<() => void> = []
  const queue = createBatchQueue({
    send: async (events) => { sent.push(events); await new Promise<void>((resolve) => { finish.push(resolve) }); return {} },
    batchSize: 2,
    maxInFlight: 2
  })
  const event = (n: number): BatchEvent => ({ channel: 'c', name: String(n), data: '' })
  const results = [1, 2, 3, 4, 5, 6, 7].map(async (n) => await queue.add(event(n)))
  t.same(sent.map((batch) => batch.map((e) => e.name)), [['1', '2'], ['3', '4']], 'two full batches left at once; the others wait')
  await new Promise((resolve) => setImmediate(resolve))
  t.equal(sent.length, 2, 'maxInFlight: 2')
  finish[0]()
  await new Promise((resolve) => setImmediate(resolve))
  t.same(sent.map((batch) => batch.map((e) => e.name)), [['1', '2'], ['3', '4'], ['5', '6']], 'the next in line')
  finish[1](); await new Promise((resolve) => setImmediate(resolve))
  t.same(sent[3].map((e) => e.name), ['7'], 'the last, partial batch went when its turn ended')
  finish[2](); finish[3]()
  t.same(await Promise.all(results), new Array(7).fill({}))
  await queue.drain()
})

t.test('more than 100 channels: calls of at most 100; encrypted channels alone; failures name their channels', async (t) => {
  const api = await fakeApi(t, (call) => call.body.channels.includes('c150') ? { status: 500, body: { error: 'down' } } : {})
  const app = await buildApp(t, api.options)
  const channels = Array.from({ length: 250 }, (_, i) => `c${i}`)
  const given = [...channels, 'private-encrypted-a']
  const error = await app.pusher.trigger(given, 'e', 1).catch((error: any) => error)
  t.same(api.calls.map((call) => call.body.channels.length).sort((a, b) => a - b), [1, 50, 100, 100])
  t.match(error, { code: 'FST_PUSHER_API_ERROR', statusCode: 500 })
  t.same(error.channels, channels.slice(100, 200), 'the channels of the call that failed')
  t.equal(given.length, 251, 'the caller\'s list is not modified')
  const ok = await fakeApi(t, (call) => ({ body: { channels: Object.fromEntries(call.body.channels.map((c: string) => [c, { subscription_count: 1 }])) } }))
  const merged = await (await buildApp(t, ok.options)).pusher.trigger(channels.slice(0, 150), 'e', 1, { info: 'subscription_count' })
  t.equal(Object.keys(merged.channels!).length, 150, 'the answers merged')
  const plain = await fakeApi(t)
  t.same(await (await buildApp(t, plain.options)).pusher.trigger(channels, 'e', 1), {})
})

t.test('triggerBatch: split at batchSize, answers joined, the caller\'s events untouched', async (t) => {
  const api = await fakeApi(t, (call) => call.body.batch[0].info !== undefined ? { body: { batch: call.body.batch.map(() => ({ user_count: 1 })) } } : {})
  const app = await buildApp(t, api.options)
  const events = Array.from({ length: 23 }, (_, i) => ({ channel: `c${i}`, name: 'e', data: { i } }))
  t.same(await app.pusher.triggerBatch(events), {})
  t.same(api.calls.map((call) => call.body.batch.length), [10, 10, 3])
  t.same(events[0], { channel: 'c0', name: 'e', data: { i: 0 } }, 'not modified')
  const withInfo = await app.pusher.triggerBatch([{ channel: 'presence-a', name: 'e', data: 1, info: 'user_count' }, ...events.slice(0, 10)])
  t.equal(withInfo.batch?.length, 11)
  t.same(withInfo.batch?.[0], { user_count: 1 })
  t.same(withInfo.batch?.[10], {}, 'a part that asked for nothing')
})

t.test('checks before sending: each rejects with FST_PUSHER_INVALID_EVENT naming what is wrong; nothing is sent', async (t) => {
  const api = await fakeApi(t)
  const app = await buildApp(t, { ...api.options, maxEventBytes: 100 })
  const cases: Array<[() => Promise<unknown>, RegExp]> = [
    [async () => await app.pusher.trigger('chat', 'x'.repeat(201), 1), /event "x+" on chat: the event name must be a non-empty string of at most 200 characters/],
    [async () => await app.pusher.trigger('chat', '', 1), /the event name must be/],
    [async () => await app.pusher.trigger('bad channel', 'e', 1), /"bad channel" is not a channel name/],
    [async () => await app.pusher.trigger('c'.repeat(165), 'e', 1), /is not a channel name/],
    [async () => await app.pusher.trigger([], 'e', 1), /no channel given/],
    [async () => await app.pusher.trigger('chat', 'e', 1, { socket_id: '12' }), /socket_id must look like 1234.5678/],
    [async () => await app.pusher.trigger('chat', 'e', 'é'.repeat(50)), /event "e" on chat: its data is 102 bytes, over the limit of 100 \(maxEventBytes\)/],
    [async () => await app.pusher.trigger(['a', 'b'], 'e', 'x'.repeat(101)), /on 2 channels: its data is 103 bytes/],
    [async () => await app.pusher.triggerBatch([{ channel: 'ok', name: 'e', data: 1 }, { channel: 'no way', name: 'e', data: 1 }]), /"no way" is not a channel name/]
  ]
  for (const [call, message] of cases) await t.rejects(call, { code: 'FST_PUSHER_INVALID_EVENT', message })
  await t.rejects(app.pusher.trigger('chat', 'e', 1n), TypeError, 'a serialize error is a rejection too')
  const badSerialize = await buildApp(t, { ...api.options, serialize: () => 42 as any })
  await t.rejects(badSerialize.pusher.trigger('chat', 'e', 1), { message: 'serialize must return a string, got number' })
  t.same(api.calls, [])
})

t.test('close waits for queued and in-flight triggers; once it has begun every call rejects with FST_PUSHER_CLOSED', async (t) => {
  const answeredAt: number[] = []
  // The direct call is answered last, after the queued one.
  const api = await fakeApi(t, (call) => {
    const delayMs = call.path === '/events' ? 300 : 100
    answeredAt.push(Date.now() + delayMs)
    return { delayMs }
  })
  const { default: fastifyPusher } = await import('../../index')
  const app = checkedFastify(t)
  await app.register(fastifyPusher, { appId: '4', key: 'KEY', secret: 'SUPERSECRET', ...api.options })
  const late: unknown[] = []
  app.addHook('preClose', async () => {
    late.push(await app.pusher.trigger('chat', 'e', 2).catch((error) => error))
    late.push(await app.pusher.triggerBatch([{ channel: 'chat', name: 'e', data: 1 }]).catch((error) => error))
  })
  const outcomes = Promise.allSettled([app.pusher.trigger('chat', 'e', 1), app.pusher.trigger(['a', 'b'], 'e', 1)])
  await app.close()
  const closedAt = Date.now()
  t.same((await outcomes).map((outcome) => outcome.status), ['fulfilled', 'fulfilled'], 'the queued and the direct trigger were sent and answered')
  t.ok(closedAt >= Math.max(...answeredAt) - 5, 'close() resolved only once the API had answered both')
  t.equal(api.calls.length, 2)
  t.match(late, [{ code: 'FST_PUSHER_CLOSED' }, { code: 'FST_PUSHER_CLOSED' }], 'called from a preClose hook')
})

t.test('batching options are checked at register time', async (t) => {
  const { default: fastifyPusher } = await import('../../index')
  for (const [given, message] of [
    [{ batchSize: 0 }, /"batchSize": must be a whole number from 1 to 100, got a number/],
    [{ batchSize: 101 }, /"batchSize"/],
    [{ maxInFlight: 1.5 }, /"maxInFlight": must be a whole number from 1 to 1024/],
    [{ maxEventBytes: '10kb' }, /"maxEventBytes".*got a string/],
    [{ batching: 'no' }, /"batching": must be true or false, got a string/]
  ] as const) {
    const app = checkedFastify(t)
    t.teardown(async () => { await app.close() })
    await t.rejects(async () => { await app.register(fastifyPusher, { appId: '1', key: 'k', secret: 's', ...given } as any).ready() }, { code: 'FST_PUSHER_INVALID_OPTION', message })
  }
})
