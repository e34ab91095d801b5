// Nothing internal in an answer: a 5xx body carries the plugin's own code and message only.
import t from 'tap'
import fastifyPusher from '../index'
import { buildApp, captureLogs, checkedFastify, credentials, postForm, postWebhook } from './helpers/app'

const INTERNAL = 'INTERNAL-DETAIL-42'
const throwingInfo = () => ({ toJSON () { throw new Error(INTERNAL) } })
const circular = () => { const info: Record<string, unknown> = {}; info.self = info; return info }

t.test('a presence member or user that cannot be serialized: 500 FST_PUSHER_SIGNING_FAILED, the cause only in the log', async (t) => {
  for (const [label, userInfo] of [['a toJSON that throws', throwingInfo], ['a BigInt', () => ({ n: 10n })], ['a cycle', circular]] as const) {
    const logs = captureLogs()
    const app = await buildApp(t, {}, { logger: logs.logger })
    app.pusher.channel('rooms.{id}', () => ({ user_id: 'u1', user_info: userInfo() }))
    app.pusher.auth(() => true)
    app.pusher.channelData(() => ({ user_id: 'u1', user_info: userInfo() }))
    app.pusher.userAuth(() => ({ id: 'u1', user_info: userInfo() }))
    for (const [url, body, what] of [
      ['/pusher/auth', 'socket_id=1.1&channel_name=presence-rooms.1', 'the presence member'],
      ['/pusher/auth', 'socket_id=1.1&channel_name=presence-lobby', 'the presence member'],
      ['/pusher/user-auth', 'socket_id=1.1', 'the user']
    ]) {
      const res = await postForm(app, url, body)
      t.same(res.json(), { statusCode: 500, code: 'FST_PUSHER_SIGNING_FAILED', error: 'Internal Server Error', message: `Could not sign: ${what} could not be serialized as JSON` }, `${label}: ${url} ${body}`)
    }
    const batch = await postForm(app, '/pusher/auth', 'socket_id=1.1&channel_name[0]=presence-lobby&channel_name[1]=private-a')
    t.same(batch.json()['presence-lobby'], { status: 500 }, `${label}: in a batch, that channel only`)
    t.equal(batch.json()['private-a'].status, 200)
    if (label === 'a toJSON that throws') t.match(logs.text(), INTERNAL, 'the cause is logged')
  }
})

t.test('any other error in the plugin\'s routes (an app\'s hook that throws) is 500 FST_PUSHER_INTERNAL_ERROR, the cause only in the log', async (t) => {
  const logs = captureLogs()
  const hook = async (): Promise<void> => { throw new Error(INTERNAL) }
  const app = await buildApp(t, { routeOptions: { auth: { preHandler: hook }, webhooks: { preHandler: hook } } }, { logger: logs.logger })
  app.pusher.auth(() => true)
  app.pusher.webhooks.on('*', () => {})
  const auth = await postForm(app, '/pusher/auth', 'socket_id=1.1&channel_name=private-a')
  t.same(auth.json(), { statusCode: 500, code: 'FST_PUSHER_INTERNAL_ERROR', error: 'Internal Server Error', message: 'fastify-pusher could not answer this request' })
  const webhook = await postWebhook(app, 'channel_existence', JSON.stringify({ time_ms: 1, events: [{ name: 'channel_occupied', channel: 'a' }] }))
  t.equal(webhook.json().code, 'FST_PUSHER_INTERNAL_ERROR')
  t.notMatch(auth.body + webhook.body, INTERNAL)
  t.match(logs.text(), INTERNAL, 'the cause is logged')
  const refused = await postForm(app, '/pusher/auth', 'socket_id=bad&channel_name=private-a')
  t.equal(refused.statusCode, 400, 'a 4xx passes through as it is')
})

t.test('the app\'s own error handler still answers, with the plugin\'s error', async (t) => {
  const app = checkedFastify(t)
  const seen: string[] = []
  app.setErrorHandler((error: Error & { code?: string, statusCode?: number }, _request, reply) => {
    seen.push(String(error.code))
    return reply.code(error.statusCode ?? 500).send({ mine: true, code: error.code })
  })
  await app.register(fastifyPusher, { ...credentials, routeOptions: { auth: { preHandler: async () => { throw new Error(INTERNAL) } } } })
  app.pusher.auth(() => true)
  const res = await postForm(app, '/pusher/auth', 'socket_id=1.1&channel_name=private-a')
  // The route's response schema shapes what the app's handler sends (ErrorResponse: `mine` is not in it).
  t.match(res.json(), { code: 'FST_PUSHER_INTERNAL_ERROR' })
  t.notMatch(res.body, INTERNAL)
  t.equal(res.statusCode, 500)
  t.same(seen, ['FST_PUSHER_INTERNAL_ERROR'])
})
