// Nothing internal in an answer: a 5xx body carries the plugin's own code and message only.
import t from 'tap'
import { buildApp, captureLogs, postForm } from './helpers/app'

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
