// The presence store fed by the webhooks (in memory): what the README's "Presence on the server" says.
import t, { type Test } from 'tap'
import type { FastifyInstance } from 'fastify'
import fastifyPusher, { memoryPresenceStore, type FastifyPusherOptions, type PresenceStatusChange, type PresenceStore } from '../../index'
import { presenceWebhook, signWebhook, type SignedWebhook } from '../../lib/testing'
import { captureLogs, checkedFastify, credentials, KEY, SECRET } from '../helpers/app'

const T = 1_700_000_000_000
const creds = { key: KEY, secret: SECRET }
const post = async (app: FastifyInstance, signed: SignedWebhook, path = '/presence') =>
  await app.inject({ method: 'POST', url: `/pusher/events${path}`, ...signed })

async function presenceApp (t: Test, options: FastifyPusherOptions = {}, logger?: ReturnType<typeof captureLogs>['logger']) {
  const app = checkedFastify(t, logger === undefined ? {} : { logger })
  await app.register(fastifyPusher, { ...credentials, presence: true, ...options })
  const changes: string[] = []
  const record = (what: string) => (change: PresenceStatusChange): void => { changes.push(`${what} ${change.userId} ${change.channel} ${change.timeMs - T}`) }
  app.pusher.presence!.on('online', record('online'))
  app.pusher.presence!.on('offline', record('offline'))
  return { app, presence: app.pusher.presence!, changes }
}

t.test('app.pusher.presence exists only with the presence option', async (t) => {
  const app = checkedFastify(t)
  await app.register(fastifyPusher, credentials)
  t.notOk('presence' in app.pusher)
  const on = checkedFastify(t)
  await on.register(fastifyPusher, { ...credentials, presence: false })
  t.notOk('presence' in on.pusher, 'false is off too')
})

t.test('a scripted sequence of deliveries: members, channelsOf, isOnline, online and offline', async (t) => {
  const { app, presence, changes } = await presenceApp(t)
  const steps: Array<[SignedWebhook, Record<string, string[]>, string[]]> = [
    [presenceWebhook(creds, { channel: 'presence-a', added: ['u1', 'u2'], time_ms: T + 10 }), { 'presence-a': ['u1', 'u2'] }, ['online u1 presence-a 10', 'online u2 presence-a 10']],
    [presenceWebhook(creds, { channel: 'presence-b', added: ['u1'], time_ms: T + 20 }), { 'presence-a': ['u1', 'u2'], 'presence-b': ['u1'] }, []],
    [presenceWebhook(creds, { channel: 'presence-a', removed: ['u1'], time_ms: T + 30 }), { 'presence-a': ['u2'], 'presence-b': ['u1'] }, []],
    // A late retry of an older delivery (another body, so not caught by the dedupe): stale.
    [presenceWebhook(creds, { channel: 'presence-a', added: ['u1', 'u3'], time_ms: T + 25 }), { 'presence-a': ['u2', 'u3'], 'presence-b': ['u1'] }, ['online u3 presence-a 25']],
    [presenceWebhook(creds, { channel: 'presence-b', removed: ['u1'], time_ms: T + 40 }), { 'presence-a': ['u2', 'u3'], 'presence-b': [] }, ['offline u1 presence-b 40']],
    // Out of order: a departure that happened before a join that already arrived.
    [presenceWebhook(creds, { channel: 'presence-a', removed: ['u3'], time_ms: T + 24 }), { 'presence-a': ['u2', 'u3'], 'presence-b': [] }, []]
  ]
  for (const [i, [signed, members, told]] of steps.entries()) {
    const before = changes.length
    t.equal((await post(app, signed)).statusCode, 200, `step ${i} answered 200`)
    for (const [channel, ids] of Object.entries(members)) t.same((await presence.members(channel)).sort(), ids, `step ${i}: members of ${channel}`)
    t.same(changes.slice(before), told, `step ${i}: online and offline told`)
  }
  t.equal((await post(app, steps[0][0])).statusCode, 200, 'a delivery that comes again')
  t.same((await presence.members('presence-a')).sort(), ['u2', 'u3'], 'changes nothing')
  t.same(await presence.channelsOf('u2'), ['presence-a'])
  t.same(await presence.channelsOf('u1'), [])
  t.equal(await presence.isOnline('u2'), true)
  t.equal(await presence.isOnline('u1'), false)
  t.equal(await presence.isOnline('nobody'), false)
})

t.test('a retried delivery counts once, with the dedupe off too (the store orders by time_ms)', async (t) => {
  for (const webhookDedupe of [true, false]) {
    const { app, presence, changes } = await presenceApp(t, { webhookDedupe })
    const joined = presenceWebhook(creds, { channel: 'presence-a', added: ['u1'], time_ms: T + 1 })
    const left = presenceWebhook(creds, { channel: 'presence-a', removed: ['u1'], time_ms: T + 2 })
    for (const signed of [joined, joined, left, joined, left]) t.equal((await post(app, signed)).statusCode, 200)
    t.same(changes, ['online u1 presence-a 1', 'offline u1 presence-a 2'], `dedupe ${webhookDedupe ? 'on' : 'off'}: one online, one offline`)
    t.same(await presence.members('presence-a'), [])
  }
})

t.test('a join and a departure in one delivery apply in order', async (t) => {
  const { app, presence, changes } = await presenceApp(t)
  t.equal((await post(app, presenceWebhook(creds, { channel: 'presence-a', added: ['u1'], removed: ['u1'], time_ms: T }))).statusCode, 200)
  t.same(await presence.members('presence-a'), [])
  t.same(changes, ['online u1 presence-a 0', 'offline u1 presence-a 0'])
})

t.test('the app\'s own presence handlers run too, and see the store already changed', async (t) => {
  const { app, presence } = await presenceApp(t)
  const seen: string[] = []
  app.pusher.webhooks.on('member_added', async (request, event) => { seen.push(`on ${event.user_id} ${String(await presence.isOnline(event.user_id))}`) })
  app.pusher.webhooks.presence(async (request, payload) => { seen.push(`presence ${payload.events.length}`) })
  t.equal((await post(app, presenceWebhook(creds, { channel: 'presence-a', added: ['u1'] }))).statusCode, 200)
  t.same(seen.sort(), ['on u1 true', 'presence 1'])
})

t.test('a presence event the store cannot take is left out, with a warning; the delivery succeeds', async (t) => {
  const logs = captureLogs()
  const { app, presence, changes } = await presenceApp(t, {}, logs.logger)
  const events = [
    { name: 'member_added', channel: 'private-a', user_id: 'u1' },
    { name: 'member_added', channel: 'presence-a\nb', user_id: 'u1' },
    { name: 'member_added', channel: 'presence-a', user_id: '' },
    { name: 'member_added', channel: 'presence-a', user_id: 'x'.repeat(129) },
    { name: 'channel_vacated', channel: 'presence-a b' }
  ]
  const res = await post(app, signWebhook(creds, { time_ms: Date.now(), events }), '')
  t.equal(res.statusCode, 200)
  const ahead = await post(app, presenceWebhook(creds, { channel: 'presence-a', added: ['u1'], time_ms: Date.now() + 120_000 }))
  t.equal(ahead.statusCode, 200)
  t.same(await presence.channelsOf('u1'), [])
  t.same(await presence.members('presence-a'), [])
  t.same(changes, [])
  const warned = logs.lines.filter((line) => line.level === 40).map((line) => line.msg.replace('fastify-pusher: a presence event was left out of the presence store: ', ''))
  t.same(warned, [
    'not a presence channel name', 'not a presence channel name', 'not a user id of 1 to 128 characters', 'not a user id of 1 to 128 characters',
    'not a presence channel name', 'its time_ms is more than a minute ahead of this server\'s clock'
  ], 'each named, none echoing what it was given')
  t.equal((await post(app, presenceWebhook(creds, { channel: 'presence-a', added: ['u1'], time_ms: Date.now() + 30_000 }))).statusCode, 200)
  t.same(await presence.members('presence-a'), ['u1'], 'within a minute ahead: applied')
})

t.test('a retry after the app\'s own handler failed applies nothing twice: online is told once', async (t) => {
  const { app, presence, changes } = await presenceApp(t)
  let fail = true
  app.pusher.webhooks.on('member_added', () => {
    if (fail) throw new Error('try again')
  })
  const signed = presenceWebhook(creds, { channel: 'presence-a', added: ['u1'] })
  t.equal((await post(app, signed)).statusCode, 500)
  fail = false
  t.equal((await post(app, signed)).statusCode, 200, 'Pusher\'s retry')
  t.same(changes.map((line) => line.split(' ').slice(0, 2).join(' ')), ['online u1'])
  t.same(await presence.members('presence-a'), ['u1'])
})

t.test('channel_vacated clears a presence channel; other channels\' are ignored', async (t) => {
  const { app, presence, changes } = await presenceApp(t)
  await post(app, presenceWebhook(creds, { channel: 'presence-a', added: ['u1', 'u2'], time_ms: T }))
  await post(app, presenceWebhook(creds, { channel: 'presence-b', added: ['u2'], time_ms: T }))
  const vacated = signWebhook(creds, { time_ms: T + 5, events: [{ name: 'channel_vacated', channel: 'presence-a' }, { name: 'channel_vacated', channel: 'private-x' }] })
  t.equal((await post(app, vacated, '/channel_existence')).statusCode, 200)
  t.same(await presence.members('presence-a'), [])
  t.same(await presence.channelsOf('u2'), ['presence-b'])
  t.same(changes.slice(2), ['offline u1 presence-a 5'], 'u1 went offline; u2 is still in presence-b')
  t.equal((await post(app, presenceWebhook(creds, { channel: 'presence-a', added: ['u1'], time_ms: T + 1 }))).statusCode, 200)
  t.same(await presence.members('presence-a'), [], 'a join older than the vacating is stale')
  await post(app, presenceWebhook(creds, { channel: 'presence-a', added: ['u3'], time_ms: T + 10 }))
  await post(app, signWebhook(creds, { time_ms: T + 8, events: [{ name: 'channel_vacated', channel: 'presence-a' }] }), '/channel_existence')
  t.same(await presence.members('presence-a'), ['u3'], 'a member who joined after the vacating (delivered first) stays')
})

t.test('an online or offline handler that fails is logged; the delivery still succeeds, and the next handler runs', async (t) => {
  const logs = captureLogs()
  const { app, presence, changes } = await presenceApp(t, {}, logs.logger)
  presence.on('online', () => { throw new Error('INTERNAL-DETAIL') })
  presence.on('online', async () => { throw new Error('INTERNAL-DETAIL 2') })
  presence.on('online', (change) => { changes.push(`last ${change.userId}`) })
  const res = await post(app, presenceWebhook(creds, { channel: 'presence-a', added: ['u1'] }))
  t.equal(res.statusCode, 200, 'the change is applied: a retry would not call them again, so no retry is asked for')
  t.same(changes.map((change) => change.split(' ')[0]), ['online', 'last'], 'every handler was called')
  const failures = logs.lines.filter((line) => line.msg === 'fastify-pusher: a presence.on(\'online\') handler failed')
  t.same(failures.map((line) => line.err.message), ['INTERNAL-DETAIL', 'INTERNAL-DETAIL 2'], 'each failure logged')
  t.notMatch(res.body, /INTERNAL/)
})

t.test('a store that fails fails the delivery (500, Pusher retries); the retry applies it', async (t) => {
  const memory = memoryPresenceStore()
  let broken = true
  const store: PresenceStore = {
    ...memory,
    apply: async (changes, limits) => {
      if (broken) throw new Error('INTERNAL-DETAIL: connection lost')
      return await memory.apply(changes, limits)
    },
    members: async (channel) => {
      if (broken) throw new Error('INTERNAL-DETAIL')
      return await memory.members(channel)
    },
    channelsOf: (userId) => {
      if (broken) throw new Error('INTERNAL-DETAIL')
      return memory.channelsOf(userId)
    }
  }
  const logs = captureLogs()
  const { app, presence, changes } = await presenceApp(t, { presence: { store } }, logs.logger)
  const signed = presenceWebhook(creds, { channel: 'presence-a', added: ['u1'] })
  const res = await post(app, signed)
  t.equal(res.statusCode, 500)
  t.same(res.json(), { statusCode: 500, code: 'FST_PUSHER_PRESENCE_STORE_FAILED', error: 'Internal Server Error', message: 'The presence store failed; retry later' })
  t.notMatch(res.body, /INTERNAL/, 'the store\'s message is not sent')
  t.match(logs.text(), /INTERNAL-DETAIL: connection lost/, 'the store\'s own failure is logged, as the cause')
  await t.rejects(presence.members('presence-a'), { code: 'FST_PUSHER_PRESENCE_STORE_FAILED', statusCode: 500 })
  await t.rejects(presence.isOnline('u1'), { code: 'FST_PUSHER_PRESENCE_STORE_FAILED' })
  broken = false
  t.equal((await post(app, signed)).statusCode, 200, 'Pusher\'s retry')
  t.same(await presence.members('presence-a'), ['u1'])
  t.same(changes, [`online u1 presence-a ${JSON.parse(signed.payload).time_ms - T}`])
})

t.test('the limits: a member past them is not stored, and one warning says so', async (t) => {
  const logs = captureLogs()
  const { app, presence } = await presenceApp(t, { presence: { maxChannels: 1, maxMembersPerChannel: 2 } }, logs.logger)
  t.equal((await post(app, presenceWebhook(creds, { channel: 'presence-a', added: ['u1', 'u2', 'u3', 'u4'], time_ms: T }))).statusCode, 200)
  t.equal((await post(app, presenceWebhook(creds, { channel: 'presence-b', added: ['u1'], time_ms: T }))).statusCode, 200)
  t.same((await presence.members('presence-a')).sort(), ['u1', 'u2'])
  t.same(await presence.members('presence-b'), [])
  const warnings = () => logs.lines.filter((line) => line.level === 40 && /presence store is full/.test(line.msg))
  t.equal(warnings().length, 1, 'one warning for the stretch of refusals')
  t.same([warnings()[0].maxChannels, warnings()[0].maxMembersPerChannel], [1, 2], 'naming the limits')
  await post(app, presenceWebhook(creds, { channel: 'presence-a', removed: ['u2'], time_ms: T + 1 }))
  await post(app, presenceWebhook(creds, { channel: 'presence-a', added: ['u3'], time_ms: T + 1 }))
  t.same((await presence.members('presence-a')).sort(), ['u1', 'u3'], 'room again')
  await post(app, presenceWebhook(creds, { channel: 'presence-a', added: ['u4'], time_ms: T + 2 }))
  t.equal(warnings().length, 2, 'a new stretch, a new warning')
  await post(app, presenceWebhook(creds, { channel: 'presence-a', added: ['u1', 'u4'], time_ms: T + 3 }))
  t.equal(warnings().length, 2, 'a member already stored ends no stretch')
})

t.test('queries and on() check what they are given', async (t) => {
  const { presence } = await presenceApp(t)
  for (const channel of ['private-a', 'a', 'presence-a b', `presence-${'x'.repeat(160)}`, 7]) {
    await t.rejects(presence.members(channel as string), { code: 'FST_PUSHER_INVALID_PRESENCE_QUERY', statusCode: 400, message: /presence\.members: the channel must be a presence- channel/ })
  }
  await t.rejects(presence.sync('private-a'), { code: 'FST_PUSHER_INVALID_PRESENCE_QUERY', message: /presence\.sync/ })
  for (const id of ['', 'x'.repeat(129), null, {}]) {
    await t.rejects(presence.channelsOf(id as string), { code: 'FST_PUSHER_INVALID_PRESENCE_QUERY', message: /presence\.channelsOf: the user id/ })
    await t.rejects(presence.isOnline(id as string), { code: 'FST_PUSHER_INVALID_PRESENCE_QUERY', message: /presence\.isOnline/ })
  }
  t.same(await presence.channelsOf(42), [], 'a number is a user id')
  t.throws(() => { presence.on('away' as 'online', () => {}) }, { code: 'FST_PUSHER_INVALID_PRESENCE_QUERY', message: /presence\.on: the event must be 'online' or 'offline'/ })
  t.throws(() => { presence.on('online', 'nope' as never) }, { code: 'FST_PUSHER_INVALID_HANDLER' })
})
