// The two presence stores, driven directly with the same script: outcomes, queries, time order, limits.
import t, { type Test } from 'tap'
import { memoryPresenceStore, redisPresenceStore, type PresenceChange, type PresenceLimits, type PresenceStore } from '../../index'
import { startRedis } from '../helpers/redis'

const LIMITS: PresenceLimits = { maxChannels: 100, maxMembersPerChannel: 100, historyMs: 600_000 }
const T = 1_700_000_000_000
const join = (channel: string, userId: string, at: number): PresenceChange => ({ channel, userId, present: true, timeMs: T + at })
const leave = (channel: string, userId: string, at: number): PresenceChange => ({ channel, userId, present: false, timeMs: T + at })
const sorted = async (list: string[] | Promise<string[]>): Promise<string[]> => [...await list].sort()

type Make = (t: Test) => Promise<PresenceStore>
const stores: Array<[string, Make]> = [
  ['memory', async () => memoryPresenceStore()],
  ['redis', async (t) => redisPresenceStore((await startRedis(t)).client())]
]

for (const [name, make] of stores) {
  t.test(`${name} store: outcomes and queries`, async (t) => {
    const store = await make(t)
    t.same(await store.apply([join('presence-a', 'u1', 1)], LIMITS), ['online'], 'the first channel: online')
    t.same(await store.apply([join('presence-b', 'u1', 2), join('presence-a', 'u2', 2)], LIMITS), ['changed', 'online'], 'a second channel: changed; in order, in one call')
    t.same(await store.apply([join('presence-a', 'u1', 3)], LIMITS), ['same'], 'a join of a member: same')
    t.same(await sorted(store.members('presence-a')), ['u1', 'u2'])
    t.same(await sorted(store.channelsOf('u1')), ['presence-a', 'presence-b'])
    t.same(await sorted(store.channels()), ['presence-a', 'presence-b'])
    t.same(await store.apply([leave('presence-a', 'u1', 4)], LIMITS), ['changed'], 'one channel left of two: changed')
    t.same(await store.apply([leave('presence-b', 'u1', 5)], LIMITS), ['offline'], 'the last one: offline')
    t.same(await store.apply([leave('presence-b', 'u1', 6)], LIMITS), ['same'], 'a departure of no member: same')
    t.same(await store.channelsOf('u1'), [])
    t.same(await store.members('presence-b'), [], 'an emptied channel has no members')
    t.same(await store.channels(), ['presence-a'], 'and is no longer listed')
    t.same(await store.members('presence-none'), [])
    t.same(await store.apply([], LIMITS), [])
  })

  t.test(`${name} store: a change older than what is held is stale`, async (t) => {
    const store = await make(t)
    t.same(await store.apply([join('presence-a', 'u1', 10), leave('presence-a', 'u1', 20)], LIMITS), ['online', 'offline'])
    t.same(await store.apply([join('presence-a', 'u1', 15)], LIMITS), ['stale'], 'a late retry of an older join cannot bring the member back')
    t.same(await store.members('presence-a'), [])
    t.same(await store.apply([join('presence-a', 'u1', 30)], LIMITS), ['online'], 'a newer join applies')
    t.same(await store.apply([leave('presence-a', 'u1', 25)], LIMITS), ['stale'], 'an older departure does not remove them')
    t.same(await store.members('presence-a'), ['u1'])
    t.same(await store.apply([leave('presence-a', 'u1', 30), join('presence-a', 'u1', 30)], LIMITS), ['offline', 'online'], 'at the same time_ms, the later change wins')
    t.same(await store.members('presence-a'), ['u1'])
  })

  t.test(`${name} store: departures are remembered historyMs, then forgotten`, async (t) => {
    const store = await make(t)
    const limits = { ...LIMITS, historyMs: 1000 }
    await store.apply([join('presence-a', 'u1', 0), leave('presence-a', 'u1', 100)], limits)
    t.same(await store.apply([join('presence-a', 'u1', 50)], limits), ['stale'], 'within historyMs: stale')
    await store.apply([join('presence-a', 'u2', 5000), leave('presence-a', 'u2', 5001)], limits)
    t.same(await store.apply([join('presence-a', 'u1', 50)], limits), ['online'], 'past historyMs the departure is forgotten (bounded), so an older join applies')
  })

  t.test(`${name} store: the limits`, async (t) => {
    const store = await make(t)
    const limits = { ...LIMITS, maxChannels: 2, maxMembersPerChannel: 2 }
    t.same(await store.apply([join('presence-a', 'u1', 1), join('presence-a', 'u2', 1), join('presence-a', 'u3', 1)], limits), ['online', 'online', 'full'], 'a third member of a channel of two: full')
    t.same(await store.apply([join('presence-a', 'u1', 2)], limits), ['same'], 'a member already stored is no new member')
    t.same(await store.apply([join('presence-b', 'u3', 2), join('presence-c', 'u3', 2)], limits), ['online', 'full'], 'a third channel: full')
    t.same(await sorted(store.channels()), ['presence-a', 'presence-b'])
    t.same(await store.apply([leave('presence-b', 'u3', 3), join('presence-c', 'u3', 4)], limits), ['offline', 'online'], 'room again once a channel empties')
    t.same(await store.apply([leave('presence-a', 'u2', 5), join('presence-a', 'u4', 5)], limits), ['offline', 'online'], 'and once a member leaves')
    t.same(await sorted(store.members('presence-a')), ['u1', 'u4'])
  })
}

t.test('memory store: at most maxChannels x maxMembersPerChannel departures are remembered', async (t) => {
  const store = memoryPresenceStore()
  const limits = { maxChannels: 1, maxMembersPerChannel: 2, historyMs: 600_000 }
  await store.apply([leave('presence-a', 'u1', 10), leave('presence-a', 'u2', 11), leave('presence-a', 'u3', 12)], limits)
  t.same(await store.apply([join('presence-a', 'u1', 5)], limits), ['online'], 'the oldest departure was dropped for the bound')
  t.same(await store.apply([join('presence-a', 'u3', 5)], limits), ['stale'], 'a newer one is still remembered')
})

t.test('redis store: departures expire with the channel\'s sorted set, and the keys share one hash tag', async (t) => {
  const redis = await startRedis(t)
  const client = redis.client()
  const store = redisPresenceStore(client)
  await store.apply([join('presence-a', 'u1', 0), leave('presence-a', 'u1', 1)], { ...LIMITS, historyMs: 60_000 })
  const keys = (await client.keys('*')).sort()
  t.same(keys, ['{fastify-pusher:presence}:left:presence-a'], 'only the departure is left')
  const ttl = await client.pttl(keys[0])
  t.ok(ttl > 0 && ttl <= 60_000, `it expires within historyMs (${ttl} ms)`)
  const capped = { ...LIMITS, maxMembersPerChannel: 3 }
  await store.apply(Array.from({ length: 10 }, (_, i) => leave('presence-b', `u${i}`, i)), capped)
  t.equal(await client.zcard('{fastify-pusher:presence}:left:presence-b'), 3, 'a channel\'s departures are capped at maxMembersPerChannel')
  t.same(await store.apply([join('presence-b', 'u9', 5), join('presence-b', 'u0', 5)], capped), ['stale', 'online'], 'the newest are kept')
  const prefixed = redisPresenceStore(client, { prefix: 'app1:' })
  await prefixed.apply([join('presence-a', 'u1', 0)], LIMITS)
  t.same(await client.hkeys('app1:members:presence-a'), ['u1'], 'a prefix of one\'s own')
  t.same(await store.members('presence-a'), [], 'apart from the default prefix')
})
