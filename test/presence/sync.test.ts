// presence.sync(): the store made to match the API, here a scripted one (fastify-pusher/testing).
import t, { type Test } from 'tap'
import fastifyPusher, { type PresenceStatusChange } from '../../index'
import { presenceWebhook, pusherTestClient, type PusherTestClientOptions } from '../../lib/testing'
import { captureLogs, checkedFastify } from '../helpers/app'

const T = 1_700_000_000_000

async function syncedApp (t: Test, script: PusherTestClientOptions, logger?: ReturnType<typeof captureLogs>['logger']) {
  const creds = { key: 'test-key', secret: 'test-secret' }
  const client = pusherTestClient({ ...creds, ...script })
  const app = checkedFastify(t, logger === undefined ? {} : { logger })
  await app.register(fastifyPusher, { client, presence: true, handlerTimeout: 50 })
  const changes: string[] = []
  const record = (what: string) => (change: PresenceStatusChange): void => { changes.push(`${what} ${change.userId} ${change.channel}`) }
  app.pusher.presence!.on('online', record('online'))
  app.pusher.presence!.on('offline', record('offline'))
  // The store's state before the sync, from deliveries of an earlier time.
  const deliver = async (channel: string, added: string[]): Promise<void> => {
    const res = await app.inject({ method: 'POST', url: '/pusher/events/presence', ...presenceWebhook(creds, { channel, added, time_ms: T }) })
    t.equal(res.statusCode, 200)
  }
  return { app, presence: app.pusher.presence!, client, changes, deliver }
}

t.test('sync(channel): the members the API lists, and no others', async (t) => {
  const { presence, client, changes, deliver } = await syncedApp(t, { users: { 'presence-a': ['u1', 'u3'] } })
  await deliver('presence-a', ['u1', 'u2'])
  changes.length = 0
  t.same(await presence.sync('presence-a'), { channels: 1, added: 1, removed: 1 })
  t.same((await presence.members('presence-a')).sort(), ['u1', 'u3'])
  t.same(changes.sort(), ['offline u2 presence-a', 'online u3 presence-a'], 'online and offline told')
  t.same(client.calls.map((call) => `${call.method} ${call.path}`), ['GET /channels/presence-a/users'], 'one query')
  t.same(await presence.sync('presence-a'), { channels: 1, added: 0, removed: 0 }, 'in step: nothing to do')
})

t.test('sync(): every occupied presence channel, and the channels the store holds that are empty now', async (t) => {
  const { presence, client, changes, deliver } = await syncedApp(t, {
    users: { 'presence-a': ['u1'], 'presence-b': ['u2', 'u3'] },
    channels: { 'private-c': { subscription_count: 1 } }
  })
  await deliver('presence-a', ['u1', 'u9'])
  await deliver('presence-gone', ['u9', 'u8'])
  changes.length = 0
  t.same(await presence.sync(), { channels: 3, added: 2, removed: 3 })
  t.same(await presence.members('presence-a'), ['u1'])
  t.same((await presence.members('presence-b')).sort(), ['u2', 'u3'])
  t.same(await presence.members('presence-gone'), [])
  t.same(await presence.isOnline('u9'), false)
  t.same(changes.sort(), ['offline u8 presence-gone', 'offline u9 presence-gone', 'online u2 presence-b', 'online u3 presence-b'])
  t.same(client.calls.map((call) => `${call.method} ${call.path} ${JSON.stringify(call.params ?? {})}`).sort(), [
    'GET /channels {"filter_by_prefix":"presence-"}',
    'GET /channels/presence-a/users {}',
    'GET /channels/presence-b/users {}'
  ], 'no query for a channel that is not occupied')
})

t.test('sync() against the webhooks: only the differences carry the sync\'s time', async (t) => {
  const { app, presence, deliver } = await syncedApp(t, { users: { 'presence-a': ['u1', 'u2'] } })
  await deliver('presence-a', ['u2']) // held since T, long before the sync
  t.same(await presence.sync('presence-a'), { channels: 1, added: 1, removed: 0 })
  const left = async (userId: string, timeMs: number): Promise<void> => {
    const signed = presenceWebhook({ key: 'test-key', secret: 'test-secret' }, { channel: 'presence-a', removed: [userId], time_ms: timeMs })
    t.equal((await app.inject({ method: 'POST', url: '/pusher/events/presence', ...signed })).statusCode, 200)
  }
  await left('u1', Date.now() - 60_000)
  t.same((await presence.members('presence-a')).sort(), ['u1', 'u2'], 'a departure sent before the sync is older than its join of u1')
  await left('u2', T + 1)
  t.same(await presence.members('presence-a'), ['u1'], 'u2, whom both knew, kept the time of their join: a later departure applies')
  await left('u1', Date.now() + 1000)
  t.same(await presence.members('presence-a'), [], 'a departure after the sync applies')
})

t.test('sync() rejects with the sender\'s typed errors; the store keeps what it had', async (t) => {
  for (const [failure, code] of [[{ status: 429 }, 'FST_PUSHER_API_ERROR'], ['timeout', 'FST_PUSHER_API_TIMEOUT'], ['unreachable', 'FST_PUSHER_API_UNREACHABLE']] as const) {
    const { presence, deliver } = await syncedApp(t, { users: { 'presence-a': [] }, fail: (call) => call.path.endsWith('/users') ? failure : undefined })
    await deliver('presence-a', ['u1'])
    await t.rejects(presence.sync('presence-a'), { code }, `${code}`)
    await t.rejects(presence.sync(), { code })
    t.same(await presence.members('presence-a'), ['u1'])
  }
})

t.test('a handler told by sync() is bounded by handlerTimeout too, and its failure logged', async (t) => {
  const logs = captureLogs()
  const { presence, changes } = await syncedApp(t, { users: { 'presence-a': ['u1'] } }, logs.logger)
  presence.on('online', async () => await new Promise(() => {}))
  presence.on('online', (change) => { changes.push(`after ${change.userId}`) })
  t.same(await presence.sync(), { channels: 1, added: 1, removed: 0 })
  t.same(changes, ['online u1 presence-a', 'after u1'])
  const failed = logs.lines.filter((line) => line.msg === 'fastify-pusher: a presence.on(\'online\') handler failed')
  t.same(failed.map((line) => line.err.code), ['FST_PUSHER_HANDLER_TIMEOUT'])
})
