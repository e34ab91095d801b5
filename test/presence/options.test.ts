// The presence option, checked at register time; the warning when no route receives the presence webhooks.
import t from 'tap'
import Fastify from 'fastify'
import fastifyPusher, { memoryPresenceStore, type FastifyPusherOptions } from '../../index'
import { captureLogs, checkedFastify, credentials } from '../helpers/app'

const register = async (presence: unknown) => {
  const app = Fastify()
  try {
    await app.register(fastifyPusher, { ...credentials, presence } as FastifyPusherOptions)
    await app.ready()
  } finally {
    await app.close()
  }
}

t.test('a bad presence option fails register, naming it', async (t) => {
  const cases: Array<[unknown, RegExp]> = [
    ['yes', /"presence": must be true, false or \{ store\?, maxChannels\?, maxMembersPerChannel\?, historyMs\? \}, got a string/],
    [[], /"presence": must be true, false or .*, got a list/],
    [null, /"presence": must be true, false or .*, got null/],
    [{ size: 1 }, /"presence\.size": is not a presence option: use store, maxChannels, maxMembersPerChannel, historyMs/],
    [{ store: {} }, /"presence\.store": must be a presence store: an object with apply, members, channelsOf and channels/],
    [{ store: null }, /"presence\.store": must be a presence store/],
    [{ store: { ...memoryPresenceStore(), channels: 1 } }, /"presence\.store": must be a presence store/],
    [{ maxChannels: 0 }, /"presence\.maxChannels": must be a whole number from 1 to 10000000/],
    [{ maxMembersPerChannel: 1.5 }, /"presence\.maxMembersPerChannel": must be a whole number from 1 to 100000/],
    [{ historyMs: 86_400_001 }, /"presence\.historyMs": must be a whole number from 1 to 86400000/]
  ]
  for (const [presence, message] of cases) {
    await t.rejects(register(presence), { code: 'FST_PUSHER_INVALID_OPTION', message }, JSON.stringify(presence) ?? String(presence))
  }
  await t.resolves(register({ store: memoryPresenceStore(), maxChannels: 5, maxMembersPerChannel: 5, historyMs: 1000 }))
})

t.test('routeOptions: false leaves a group of routes out', async (t) => {
  const app = checkedFastify(t)
  await app.register(fastifyPusher, { ...credentials, routeOptions: { auth: false, webhooks: false } })
  await app.ready()
  const has = (url: string): boolean => app.hasRoute({ method: 'POST', url })
  t.same([has('/pusher/auth'), has('/pusher/user-auth'), has('/pusher/events'), has('/pusher/events/presence')], [false, true, false, false])
  const signInOff = checkedFastify(t)
  await signInOff.register(fastifyPusher, { ...credentials, routeOptions: { userAuth: false } })
  await signInOff.ready()
  t.same(['/pusher/auth', '/pusher/user-auth', '/pusher/events'].map((url) => signInOff.hasRoute({ method: 'POST', url })), [true, false, true])
  const none = checkedFastify(t)
  await none.register(fastifyPusher, { ...credentials, routeOptions: { auth: false, userAuth: false, webhooks: false } })
  await none.ready()
  t.equal(none.printRoutes(), '(empty tree)', 'no route at all')
  const bad = Fastify()
  t.teardown(async () => { await bad.close() })
  await t.rejects(async () => { await bad.register(fastifyPusher, { ...credentials, routeOptions: { webhooks: 'no' } } as unknown as FastifyPusherOptions).ready() }, { code: 'FST_PUSHER_INVALID_OPTION', message: /"routeOptions\.webhooks": must be an object, or false to leave these routes out/ })
})

t.test('presence without a route for its webhooks: one warning when the app is ready', async (t) => {
  const logs = captureLogs()
  logs.logger.level = 'warn'
  const app = checkedFastify(t, { logger: logs.logger })
  const outer = async (scope: typeof app): Promise<void> => {
    await scope.register(fastifyPusher, { ...credentials, presence: true, prefix: '/rt', routeOptions: { webhooks: false } })
  }
  await app.register(outer, { prefix: '/api' })
  await app.ready()
  const warned = logs.lines.filter((line) => /presence is on, but no route receives the presence webhooks/.test(line.msg))
  t.equal(warned.length, 1)
  t.match(warned[0].msg, 'POST /api/rt/events/presence or /api/rt/events', 'naming the routes it looked for, under the app\'s prefix')
  t.match(warned[0].msg, /learns only from sync\(\)/)

  for (const [what, options] of [['routes on', {}], ['presence off', { presence: false, routeOptions: { webhooks: false } }]] as const) {
    const quiet = captureLogs()
    quiet.logger.level = 'warn'
    const other = checkedFastify(t, { logger: quiet.logger })
    await other.register(async (scope) => { await scope.register(fastifyPusher, { ...credentials, presence: true, ...options }) }, { prefix: '/api' })
    await other.ready()
    t.same(quiet.lines, [], `${what}: no warning`)
  }
})
