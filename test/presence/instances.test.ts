// Two app instances sharing one Redis: one presence state, online and offline told once in total.
import t from 'tap'
import type { FastifyInstance } from 'fastify'
import fastifyPusher, { redisDedupeStore, redisPresenceStore } from '../../index'
import { presenceWebhook, signWebhook, type SignedWebhook } from '../../lib/testing'
import { checkedFastify, credentials, KEY, SECRET } from '../helpers/app'
import { startRedis } from '../helpers/redis'

const T = 1_700_000_000_000
const creds = { key: KEY, secret: SECRET }
const post = async (app: FastifyInstance, signed: SignedWebhook, path = '/presence') =>
  await app.inject({ method: 'POST', url: `/pusher/events${path}`, ...signed })

t.test('two instances, one Redis: the same answers from both, each change told once, by the instance that applied it', async (t) => {
  const redis = await startRedis(t)
  const told: string[] = []
  const instance = async (name: string, dedupe: boolean): Promise<FastifyInstance> => {
    const app = checkedFastify(t)
    await app.register(fastifyPusher, {
      ...credentials,
      presence: { store: redisPresenceStore(redis.client()) },
      webhookDedupe: dedupe ? { store: redisDedupeStore(redis.client()) } : false
    })
    app.pusher.presence!.on('online', ({ userId, channel }) => { told.push(`${name} online ${userId} ${channel}`) })
    app.pusher.presence!.on('offline', ({ userId, channel }) => { told.push(`${name} offline ${userId} ${channel}`) })
    return app
  }
  for (const dedupe of [true, false]) {
    told.length = 0
    await redis.client().flushall()
    const [one, two] = [await instance('one', dedupe), await instance('two', dedupe)]
    const a1 = presenceWebhook(creds, { channel: 'presence-a', added: ['u1', 'u2'], time_ms: T + 1 })
    const b1 = presenceWebhook(creds, { channel: 'presence-b', added: ['u1'], time_ms: T + 2 })
    const a2 = presenceWebhook(creds, { channel: 'presence-a', removed: ['u1'], time_ms: T + 3 })
    const b2 = presenceWebhook(creds, { channel: 'presence-b', removed: ['u1'], time_ms: T + 4 })
    // Each delivery reaches one instance; Pusher's retry (or the same events in another delivery) the other.
    const sameEvents = (signed: SignedWebhook): SignedWebhook => signWebhook(creds, JSON.stringify({ ...JSON.parse(signed.payload), extra: 1 }))
    const steps: Array<[FastifyInstance, SignedWebhook]> = [[one, a1], [two, a1], [two, b1], [one, sameEvents(b1)], [one, a2], [two, b2], [one, b2], [two, sameEvents(a1)]]
    const results = await Promise.all(steps.slice(0, 2).map(async ([app, signed]) => (await post(app, signed)).statusCode))
    for (const [app, signed] of steps.slice(2)) results.push((await post(app, signed)).statusCode)
    t.ok(results.every((status) => status === 200 || status === 409), `every delivery answered (a concurrent copy may be 409): ${results.join()}`)
    const where = (line: string): string => line.split(' ').slice(1).join(' ')
    t.same(told.map(where).sort(), ['offline u1 presence-b', 'online u1 presence-a', 'online u2 presence-a'], `dedupe ${dedupe ? 'on' : 'off'}: each change told once in total`)
    t.ok(told.every((line) => /^(one|two) /.test(line)))
    for (const app of [one, two]) {
      t.same((await app.pusher.presence!.members('presence-a')).sort(), ['u2'])
      t.same(await app.pusher.presence!.members('presence-b'), [])
      t.same(await app.pusher.presence!.channelsOf('u2'), ['presence-a'])
      t.equal(await app.pusher.presence!.isOnline('u1'), false)
      t.equal(await app.pusher.presence!.isOnline('u2'), true)
    }
    await one.close()
    await two.close()
  }
})

t.test('two instances racing on one user: each online matched by one offline, as the store says', async (t) => {
  const redis = await startRedis(t)
  const told: string[] = []
  const apps: FastifyInstance[] = []
  for (let i = 0; i < 2; i++) {
    const app = checkedFastify(t)
    await app.register(fastifyPusher, { ...credentials, presence: { store: redisPresenceStore(redis.client()) } })
    app.pusher.presence!.on('online', () => { told.push('online') })
    app.pusher.presence!.on('offline', () => { told.push('offline') })
    apps.push(app)
  }
  // 40 deliveries, each a join or a departure of u1 in one of 4 channels, sent to both instances at once.
  const deliveries = Array.from({ length: 40 }, (_, i) => presenceWebhook(creds, i % 2 === 0
    ? { channel: `presence-${i % 4}`, added: ['u1'], time_ms: T + i }
    : { channel: `presence-${(i - 1) % 4}`, removed: ['u1'], time_ms: T + i }))
  await Promise.all(deliveries.flatMap((signed) => apps.map(async (app) => t.equal((await post(app, signed)).statusCode, 200))))
  // The two instances' handlers run in the order their replies arrive, not necessarily the store's.
  const online = told.filter((what) => what === 'online').length
  const offline = told.length - online
  t.ok(online > 0, `${online} online, ${offline} offline`)
  t.equal(online - offline, await apps[0].pusher.presence!.isOnline('u1') ? 1 : 0, 'every change told once: online minus offline is what the store says now')
})
