// Exactly once across app instances: two Fastify apps share one real Redis.
import t from 'tap'
import type { FastifyInstance } from 'fastify'
import { signWebhook, type SignedWebhook } from 'fastify-pusher/testing'
import fastifyPusher, { redisDedupeStore } from '../../index'
import { checkedFastify, credentials, KEY, SECRET } from '../helpers/app'
import { startRedis } from '../helpers/redis'

const events = [
  { name: 'member_added', channel: 'presence-a', user_id: 'u1' },
  { name: 'channel_occupied', channel: 'presence-a' },
  { name: 'member_removed', channel: 'presence-a', user_id: 'u1' }
]
const post = async (app: FastifyInstance, path: string, signed: SignedWebhook) =>
  await app.inject({ method: 'POST', url: `/pusher/events${path}`, ...signed })

t.test('two instances sharing one Redis store: each event\'s handlers run once in total', async (t) => {
  const redis = await startRedis(t)
  const runs: string[] = []
  let failOnce = true
  const instance = async (name: string): Promise<FastifyInstance> => {
    const app = checkedFastify(t)
    t.teardown(async () => { await app.close() })
    await app.register(fastifyPusher, { ...credentials, webhookDedupe: { store: redisDedupeStore(redis.client()) } })
    app.pusher.webhooks.on('*', async (request, event) => {
      runs.push(`${name} ${event.name}`)
      if (event.name === 'member_removed' && failOnce) {
        failOnce = false
        throw new Error('try again')
      }
    })
    return app
  }
  const [one, two] = [await instance('one'), await instance('two')]

  const signed = signWebhook({ key: KEY, secret: SECRET }, { time_ms: 1700000000000, events })
  t.equal((await post(one, '/presence', signed)).statusCode, 500, 'member_removed failed on instance one')
  t.same(runs, ['one member_added', 'one member_removed'])
  t.equal((await post(two, '/presence', signed)).statusCode, 200, 'Pusher\'s retry lands on instance two')
  t.equal((await post(two, '/channel_existence', signed)).statusCode, 200, 'the same batch on another URL')
  t.equal((await post(one, '', signed)).statusCode, 200)
  t.same(runs, ['one member_added', 'one member_removed', 'two member_removed', 'two channel_occupied'])

  // The same new delivery to both instances at once: one runs each event, the other answers 409 or skips it.
  runs.length = 0
  const fresh = signWebhook({ key: KEY, secret: SECRET }, { time_ms: 1700000000001, events })
  const answers = await Promise.all([post(one, '', fresh), post(two, '', fresh)])
  t.same(answers.map((res) => res.statusCode).sort(), answers.some((res) => res.statusCode === 409) ? [200, 409] : [200, 200])
  t.equal(runs.length, 3, 'each of the three events ran once')
  t.same(runs.map((run) => run.split(' ')[1]), ['member_added', 'channel_occupied', 'member_removed'])
})

t.test('redisDedupeStore against Redis: atomic claims, done marks with their TTL, release, key prefix', async (t) => {
  const redis = await startRedis(t)
  const client = redis.client()
  const store = redisDedupeStore(client, { prefix: 'test:' })
  t.same(await store.claim('d', ['a', 'b'], 60_000), ['claimed', 'claimed'])
  t.same(await store.claim('d', ['a', 'c'], 60_000), ['running', 'claimed'])
  await store.done('d', ['a'], 5_000)
  t.same(await store.claim('d', ['a'], 60_000), ['done'])
  const ttl = await client.pttl('test:d:a')
  t.ok(ttl > 0 && ttl <= 5_000, `done mark expires (${ttl} ms left)`)
  t.ok(await client.pttl('test:d:b') > 5_000, 'a claim holds for lockMs')
  await store.release('d', ['b', 'c'])
  t.same(await store.claim('d', ['b'], 60_000), ['claimed'])
  t.same((await client.keys('*')).sort(), ['test:d:a', 'test:d:b'])
  const defaults = redisDedupeStore(client)
  await defaults.claim('e', ['x'], 1000)
  t.equal(await client.get('fastify-pusher:webhook:e:x'), 'running')
})

t.test('a Redis that is gone: 500 FST_PUSHER_WEBHOOK_DEDUPE_FAILED, no handler runs, Pusher retries', async (t) => {
  const redis = await startRedis(t)
  const client = redis.client()
  client.on('error', () => {})
  const app = checkedFastify(t)
  t.teardown(async () => { await app.close() })
  await app.register(fastifyPusher, { ...credentials, webhookDedupe: { store: redisDedupeStore(client) } })
  let runs = 0
  app.pusher.webhooks.on('*', () => { runs++ })
  t.equal((await post(app, '', signWebhook({ key: KEY, secret: SECRET }, { events }))).statusCode, 200)
  await redis.stop()
  const res = await post(app, '', signWebhook({ key: KEY, secret: SECRET }, { time_ms: 1, events }))
  t.equal(res.statusCode, 500)
  t.equal(res.json().code, 'FST_PUSHER_WEBHOOK_DEDUPE_FAILED')
  t.equal(runs, 3)
})
