import t from 'tap'
import type { FastifyInstance } from 'fastify'
import { signWebhook, type SignedWebhook } from 'fastify-pusher/testing'
import { memoryDedupeStore, redisDedupeStore, type WebhookDedupeStore } from '../../index'
import { buildApp, captureLogs, fakeNow, KEY, SECRET } from '../helpers/app'

const delivery = (events: unknown[], timeMs = 1700000000000): SignedWebhook => signWebhook({ key: KEY, secret: SECRET }, { time_ms: timeMs, events })
const post = async (app: FastifyInstance, path: string, signed: SignedWebhook) =>
  await app.inject({ method: 'POST', url: `/pusher/events${path}`, ...signed })
const occupied = (channel: string) => ({ name: 'channel_occupied', channel })

t.test('a retried delivery skips the events that were handled and runs only the one that failed', async (t) => {
  const app = await buildApp(t)
  const runs: string[] = []
  let failB = true
  app.pusher.webhooks.on('channel_occupied', (request, event) => {
    runs.push(event.channel)
    if (event.channel === 'b' && failB) throw new Error('b failed')
  })
  const signed = delivery([occupied('a'), occupied('b'), occupied('c')])
  t.equal((await post(app, '/channel_existence', signed)).statusCode, 500)
  t.same(runs, ['a', 'b', 'c'], 'a failure does not stop the events after it')
  failB = false
  t.equal((await post(app, '/channel_existence', signed)).statusCode, 200)
  t.same(runs, ['a', 'b', 'c', 'b'])
  t.equal((await post(app, '/channel_existence', signed)).statusCode, 200)
  t.same(runs, ['a', 'b', 'c', 'b'], 'a third copy runs nothing')
  t.equal((await post(app, '/channel_existence', delivery([occupied('a'), occupied('b'), occupied('c')], 1700000000001))).statusCode, 200)
  t.same(runs, ['a', 'b', 'c', 'b', 'a', 'b', 'c'], 'another delivery (other bytes) is new')
})

t.test('a category handler that succeeded is not run again when an event of the same delivery is retried', async (t) => {
  const app = await buildApp(t)
  let categoryRuns = 0
  let eventRuns = 0
  app.pusher.webhooks.channelExistence(() => { categoryRuns++ })
  app.pusher.webhooks.on('channel_occupied', () => { if (++eventRuns === 1) throw new Error('once') })
  const signed = delivery([occupied('a')])
  t.equal((await post(app, '/channel_existence', signed)).statusCode, 500)
  t.equal((await post(app, '/channel_existence', signed)).statusCode, 200)
  t.same([categoryRuns, eventRuns], [1, 2])
})

t.test('a category handler that failed is the only work run again, its events already done', async (t) => {
  const app = await buildApp(t)
  const runs: string[] = []
  let failCategory = true
  app.pusher.webhooks.channelExistence(() => {
    runs.push('category')
    if (failCategory) throw new Error('category failed')
  })
  app.pusher.webhooks.on('channel_occupied', (request, event) => { runs.push(event.channel) })
  const signed = delivery([occupied('a'), occupied('b')])
  t.equal((await post(app, '/channel_existence', signed)).statusCode, 500)
  failCategory = false
  t.equal((await post(app, '/channel_existence', signed)).statusCode, 200)
  t.same(runs, ['category', 'a', 'b', 'category'])
})

t.test('a delivery of more than 10,000 events is deduplicated event by event too', async (t) => {
  const app = await buildApp(t)
  let runs = 0
  let fail = true
  app.pusher.webhooks.on('*', (request, event) => {
    runs++
    if (fail && event.name === 'last') throw new Error('the last one failed')
  })
  const events = [...Array.from({ length: 10_001 }, () => ({ name: 'x' })), { name: 'last' }]
  const signed = delivery(events)
  t.equal((await post(app, '', signed)).statusCode, 500)
  t.equal(runs, 10_002)
  fail = false
  t.equal((await post(app, '', signed)).statusCode, 200)
  t.equal(runs, 10_003, 'only event 10,001 (the failed one) ran again')
  t.equal((await post(app, '', signed)).statusCode, 200)
  t.equal(runs, 10_003)
})

t.test('a batch posted to every category URL and to /events reaches each handler once in all', async (t) => {
  const app = await buildApp(t)
  const seen: string[] = []
  app.pusher.webhooks.on('*', (request, event) => { seen.push(event.name) })
  app.pusher.webhooks.presence(() => { seen.push('presence handler') })
  const signed = delivery([occupied('a'), { name: 'member_added', channel: 'presence-a', user_id: 'u' }, { name: 'new_kind' }])
  for (const path of ['/channel_existence', '/presence', '/client', '', '/presence', '']) {
    t.equal((await post(app, path, signed)).statusCode, 200, path)
  }
  t.same(seen, ['channel_occupied', 'presence handler', 'member_added', 'new_kind'])
})

t.test('a duplicate that arrives while the delivery is being handled is answered 409, then skipped once done', async (t) => {
  const app = await buildApp(t)
  let release = (): void => {}
  let started = (): void => {}
  const running = new Promise<void>((resolve) => { started = resolve })
  let runs = 0
  app.pusher.webhooks.on('channel_occupied', async () => {
    runs++
    started()
    await new Promise<void>((resolve) => { release = resolve })
  })
  const signed = delivery([occupied('a')])
  const first = post(app, '/channel_existence', signed)
  await running
  const duplicate = await post(app, '/channel_existence', signed)
  t.equal(duplicate.statusCode, 409)
  t.same(duplicate.json(), { statusCode: 409, code: 'FST_PUSHER_WEBHOOK_IN_PROGRESS', error: 'Conflict', message: 'This delivery is being processed by another request; retry later' })
  release()
  t.equal((await first).statusCode, 200)
  t.equal((await post(app, '/channel_existence', signed)).statusCode, 200)
  t.equal(runs, 1)
})

t.test('a 409 gives back what it claimed: the claims of the other events are not kept', async (t) => {
  const app = await buildApp(t)
  let release = (): void => {}
  const runs: string[] = []
  app.pusher.webhooks.on('channel_occupied', async (request, event) => {
    runs.push(event.channel)
    if (event.channel === 'a') await new Promise<void>((resolve) => { release = resolve })
  })
  const signed = delivery([occupied('a'), occupied('b')])
  const first = post(app, '/channel_existence', signed)
  for (let i = 0; i < 100 && runs.length === 0; i++) await new Promise((resolve) => setImmediate(resolve))
  t.equal((await post(app, '/channel_existence', signed)).statusCode, 409)
  release()
  t.equal((await first).statusCode, 200)
  t.same(runs, ['a', 'b'])
})

t.test('done marks last ttlMs (default 10 minutes); claims of a request that never finished expire after lockMs', async (t) => {
  const now = fakeNow(t, 1_000_000)
  const app = await buildApp(t)
  let runs = 0
  app.pusher.webhooks.on('channel_occupied', () => { runs++ })
  const signed = delivery([occupied('a')])
  await post(app, '/channel_existence', signed)
  now.value += 10 * 60 * 1000 - 1
  await post(app, '/channel_existence', signed)
  t.equal(runs, 1, 'still done 1 ms before the TTL')
  now.value += 1
  await post(app, '/channel_existence', signed)
  t.equal(runs, 2, 'run again once the TTL has passed')

  const store = memoryDedupeStore({ maxEntries: 10 })
  t.same(store.claim('d', ['x'], 60_000), ['claimed'])
  now.value += 59_999
  t.same(store.claim('d', ['x'], 60_000), ['running'])
  now.value += 1
  t.same(store.claim('d', ['x'], 60_000), ['claimed'], 'a claim nobody finished expires')
})

t.test('ttlMs is an option', async (t) => {
  const now = fakeNow(t, 5_000_000)
  const app = await buildApp(t, { webhookDedupe: { ttlMs: 1000 } })
  let runs = 0
  app.pusher.webhooks.on('channel_occupied', () => { runs++ })
  const signed = delivery([occupied('a')])
  await post(app, '/channel_existence', signed)
  now.value += 999
  await post(app, '/channel_existence', signed)
  now.value += 1
  await post(app, '/channel_existence', signed)
  t.equal(runs, 2)
})

t.test('the in-memory store is bounded: past maxEntries the oldest marks go first', async (t) => {
  const app = await buildApp(t, { webhookDedupe: { maxEntries: 2 } })
  const runs: string[] = []
  app.pusher.webhooks.on('channel_occupied', (request, event) => { runs.push(event.channel) })
  const [a, b, c] = ['a', 'b', 'c'].map((channel) => delivery([occupied(channel)]))
  for (const signed of [a, b, c, c, b, a]) await post(app, '/channel_existence', signed)
  t.same(runs, ['a', 'b', 'c', 'a'], 'c and b were still remembered; a had been evicted')

  const store = memoryDedupeStore({ maxEntries: 3 })
  store.claim('one', ['1', '2'], 1000)
  store.claim('two', ['1'], 1000)
  t.equal(store.size, 3)
  store.done('one', ['2'], 1000)
  store.claim('three', ['1'], 1000)
  t.same(store.claim('one', ['1', '2'], 1000), ['running', 'done'], 'marking done made "one" the newest delivery; "two" was evicted')
  t.same(store.claim('two', ['1'], 1000), ['claimed'])
  store.release('one', ['2', 'never claimed'])
  store.release('unknown', ['1'])
  t.same(store.claim('one', ['2'], 1000), ['claimed'])
  const whole = memoryDedupeStore({ maxEntries: 10 })
  t.same(whole.claim('d', ['0', '1', '2'], 1000), ['claimed', 'claimed', 'claimed'])
  whole.done('d', ['0', '1'], 1000)
  whole.done('d', ['0', '2'], 1000)
  whole.release('d', ['1'])
  t.same(whole.claim('d', ['0', '1', '2'], 1000), ['done', 'claimed', 'done'], 'a delivery claimed whole, then done and released in parts')
  t.equal(whole.size, 3)
  whole.claim('e', ['0', '1'], 1000)
  whole.done('e', ['1', '2'], 1000)
  t.same(whole.claim('e', ['0', '1', '2'], 1000), ['running', 'done', 'done'], 'done for other units than the ones claimed')
  whole.claim('f', ['presence', '0'], 1000)
  whole.done('f', ['presence', '0'], 1000)
  whole.claim('g', ['presence', '0'], 1000)
  whole.done('g', ['presence', '1'], 1000)
  t.same(whole.claim('f', ['presence', '0'], 1000), ['done', 'done'], 'a category unit and an event, claimed and done together')
  t.same(whole.claim('g', ['presence', '0', '1'], 1000), ['done', 'running', 'done'])
  const big = memoryDedupeStore({ maxEntries: 2 })
  t.same(big.claim('alone', ['a', 'b', 'c'], 1000), ['claimed', 'claimed', 'claimed'], 'the newest delivery stays, even alone past the bound')
  big.claim('next', ['a'], 1000)
  t.equal(big.size, 1)
})

t.test('webhookDedupe: false runs every copy', async (t) => {
  const app = await buildApp(t, { webhookDedupe: false })
  let runs = 0
  app.pusher.webhooks.on('channel_occupied', () => { runs++ })
  const signed = delivery([occupied('a')])
  await post(app, '/channel_existence', signed)
  await post(app, '/channel_existence', signed)
  t.equal(runs, 2)
})

t.test('a custom store: claimed, done and released keys; a store that fails', async (t) => {
  const calls: unknown[] = []
  const inner = memoryDedupeStore({ maxEntries: 100 })
  let failing: 'claim' | 'done' | 'release' | undefined
  const store: WebhookDedupeStore = {
    claim: async (delivery, units, lockMs) => { calls.push(['claim', delivery.length, units, lockMs]); if (failing === 'claim') throw new Error('store down'); return inner.claim(delivery, units, lockMs) },
    done: async (delivery, units, ttlMs) => { calls.push(['done', units, ttlMs]); if (failing === 'done') throw new Error('store down'); inner.done(delivery, units, ttlMs) },
    release: async (delivery, units) => { calls.push(['release', units]); if (failing === 'release') throw new Error('store down'); inner.release(delivery, units) }
  }
  const logs = captureLogs()
  const app = await buildApp(t, { webhookDedupe: { store, ttlMs: 1234, lockMs: 99 } }, { logger: logs.logger })
  const runs: string[] = []
  app.pusher.webhooks.on('channel_occupied', (request, event) => {
    runs.push(event.channel)
    if (event.channel === 'bad') throw new Error('handler failed')
  })
  t.equal((await post(app, '/channel_existence', delivery([occupied('a'), occupied('bad')]))).statusCode, 500)
  t.same(calls, [['claim', 43, ['0', '1'], 99], ['done', ['0'], 1234], ['release', ['1']]], 'a delivery is named by the SHA-256 of its body (base64url); its events by index')

  failing = 'claim'
  const down = await post(app, '/channel_existence', delivery([occupied('c')]))
  t.equal(down.statusCode, 500)
  t.same(down.json(), { statusCode: 500, code: 'FST_PUSHER_WEBHOOK_DEDUPE_FAILED', error: 'Internal Server Error', message: 'The webhook dedupe store failed; retry later' })
  t.notOk(runs.includes('c'), 'no handler runs when the store cannot say what was done')

  failing = 'done'
  t.equal((await post(app, '/channel_existence', delivery([occupied('d')]))).statusCode, 200, 'the handlers succeeded: answered as they did')
  t.match(logs.text(), 'could not mark events done')

  failing = 'release'
  t.equal((await post(app, '/channel_existence', delivery([occupied('bad')], 5))).statusCode, 500)
  t.match(logs.text(), 'could not release claims')
  t.match(logs.text(), 'store down')
  t.notMatch(logs.text(), SECRET)
})

t.test('webhookDedupe options are checked at register time', async (t) => {
  const bad: Array<[unknown, RegExp]> = [
    ['yes', /Invalid option "webhookDedupe": must be true, false or/],
    [{ ttl: 5 }, /Invalid option "webhookDedupe.ttl": is not a dedupe option/],
    [{ ttlMs: 0 }, /"webhookDedupe.ttlMs": must be a whole number/],
    [{ lockMs: 1.5 }, /"webhookDedupe.lockMs": must be a whole number/],
    [{ maxEntries: -1 }, /"webhookDedupe.maxEntries": must be a whole number/],
    [{ store: {} }, /"webhookDedupe.store": must be a dedupe store/],
    [{ store: memoryDedupeStore({ maxEntries: 1 }), maxEntries: 5 }, /"webhookDedupe.maxEntries": bounds the in-memory store only/]
  ]
  for (const [webhookDedupe, message] of bad) {
    await t.rejects(buildApp(t, { webhookDedupe: webhookDedupe as any }), { code: 'FST_PUSHER_INVALID_OPTION', message }, JSON.stringify(webhookDedupe))
  }
  await buildApp(t, { webhookDedupe: true })
})

t.test('the in-memory store keeps event indices compactly and any other unit name aside', async (t) => {
  const store = memoryDedupeStore({ maxEntries: 100 })
  const units = ['presence', '007', '12345', '', '0', '9999', '12a']
  t.same(store.claim('d', units, 1000), units.map(() => 'claimed'))
  t.same(store.claim('d', units, 1000), units.map(() => 'running'))
  t.equal(store.size, units.length)
  store.done('d', ['presence', '9999'], 1000)
  store.release('d', ['007', '0', 'never claimed'])
  t.same(store.claim('d', units, 1000), ['done', 'claimed', 'running', 'running', 'claimed', 'done', 'running'])
  store.release('fresh', ['x'])
  store.done('other', ['x'], 1000)
  store.release('other', ['y'])
  t.equal(store.size, units.length + 1)
})

t.test('a synchronous store that throws is handled like one that rejects', async (t) => {
  const inner = memoryDedupeStore({ maxEntries: 100 })
  let failing: 'claim' | 'done' | 'release' | undefined
  const fail = (name: string): void => { if (failing === name) throw new Error('store down') }
  const store: WebhookDedupeStore = {
    claim: (delivery, units, lockMs) => { fail('claim'); return inner.claim(delivery, units, lockMs) },
    done: (delivery, units, ttlMs) => { fail('done'); inner.done(delivery, units, ttlMs) },
    release: (delivery, units) => { fail('release'); inner.release(delivery, units) }
  }
  const logs = captureLogs()
  const app = await buildApp(t, { webhookDedupe: { store } }, { logger: logs.logger })
  app.pusher.webhooks.on('channel_occupied', (request, event) => { if (event.channel === 'bad') throw new Error('handler failed') })
  failing = 'claim'
  t.equal((await post(app, '/channel_existence', delivery([occupied('a')]))).json().code, 'FST_PUSHER_WEBHOOK_DEDUPE_FAILED')
  failing = 'done'
  t.equal((await post(app, '/channel_existence', delivery([occupied('b')]))).statusCode, 200)
  failing = 'release'
  t.equal((await post(app, '/channel_existence', delivery([occupied('bad'), occupied('bad')]))).statusCode, 500)
  t.equal(logs.lines.filter((line) => line.msg === 'fastify-pusher: a webhook handler failed').length, 1, 'the second failure is logged, the first answered')
  t.match(logs.text(), 'could not mark events done')
  t.match(logs.text(), 'could not release claims')
})

t.test('redisDedupeStore sends one script per call through the pipeline, and reads its answer', async (t) => {
  const sent: Array<Array<Array<string | number>>> = []
  let answer: Array<[Error | null, unknown]> | null = null
  const store = redisDedupeStore({ pipeline: (commands) => { sent.push(commands); return { exec: async () => answer } } }, { prefix: 'p:' })
  t.same(await store.claim('d', [], 5), [], 'nothing to claim: no call')
  await store.done('d', [], 5)
  await store.release('d', [])
  t.equal(sent.length, 0)
  answer = [[null, [0, 2, 1]]]
  t.same(await store.claim('d', ['a', 'b', 'c'], 5), ['claimed', 'done', 'running'])
  t.match(sent[0], [['eval', /SET', key, 'running', 'PX', ARGV\[1\], 'NX', 'GET'/, 3, 'p:d:a', 'p:d:b', 'p:d:c', 5]])
  answer = [[new Error('READONLY'), null]]
  await t.rejects(async () => { await store.done('d', ['a', 'b'], 9) }, { message: 'READONLY' })
  t.match(sent[1], [['eval', /SET', key, 'done', 'PX', ARGV\[1\]/, 2, 'p:d:a', 'p:d:b', 9]])
  answer = null
  await t.rejects(async () => { await store.release('d', ['a']) }, { message: /Redis answered nothing/ })
  t.same(sent[2], [['del', 'p:d:a']])
})
