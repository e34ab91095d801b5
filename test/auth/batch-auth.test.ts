import t from 'tap'
import { buildApp, captureLogs, hmac, KEY, postForm } from '../helpers/app'

// What pusher-js-auth sends: a leading "&", unencoded brackets, channel_name[0] even for one channel.
const batch = (socketId: string, names: string[]): string =>
  `&socket_id=${socketId}` + names.map((name, i) => `&channel_name[${i}]=${name}`).join('')

t.test('a batch of one channel', async (t) => {
  const app = await buildApp(t)
  app.pusher.auth(() => true)
  const res = await postForm(app, '/pusher/auth', batch('1.42', ['private-a']))
  t.equal(res.statusCode, 200)
  t.same(res.json(), { 'private-a': { status: 200, data: { auth: 'KEY:fff3f36f373867934b3ecb50c97706d218edf28cce006fdc7bcaca744619ade6' } } })
})

t.test('a/b/c where b is refused', async (t) => {
  const app = await buildApp(t)
  app.pusher.auth((request, channelName) => channelName !== 'private-b')
  const res = await postForm(app, '/pusher/auth', batch('1.42', ['private-a', 'private-b', 'presence-c']))
  t.equal(res.statusCode, 200)
  t.same(res.json(), {
    'private-a': { status: 200, data: { auth: `${KEY}:${hmac('1.42:private-a')}` } },
    'private-b': { status: 403 },
    'presence-c': { status: 200, data: { auth: `${KEY}:${hmac('1.42:presence-c:{"user_id":"1.42"}')}`, channel_data: '{"user_id":"1.42"}' } }
  })
})

t.test('each channel fails on its own: 404 public, 400 invalid name, 4xx or 500 from the handler', async (t) => {
  const logs = captureLogs()
  const app = await buildApp(t, {}, { logger: logs.logger })
  app.pusher.auth((request, channelName) => {
    if (channelName === 'private-teapot') throw Object.assign(new Error('no'), { statusCode: 418 })
    if (channelName === 'private-broken') throw new Error('handler bug')
    return true
  })
  const res = await postForm(app, '/pusher/auth', batch('1.42', ['public', 'bad%21name', '__proto__', 'private-teapot', 'private-broken', 'private-encrypted-x', 'private-ok']))
  t.equal(res.statusCode, 200)
  const answer = res.json()
  t.same(Object.keys(answer), ['public', 'bad!name', '__proto__', 'private-teapot', 'private-broken', 'private-encrypted-x', 'private-ok'])
  t.same(answer.public, { status: 404 })
  t.same(answer['bad!name'], { status: 400 })
  t.same(Object.getOwnPropertyDescriptor(answer, '__proto__')?.value, { status: 404 }, '"__proto__" is a key like any other')
  t.same(answer['private-teapot'], { status: 418 })
  t.same(answer['private-broken'], { status: 500 })
  t.same(answer['private-encrypted-x'], { status: 404 }, 'no master key configured')
  t.equal(answer['private-ok'].status, 200)
  t.match(logs.text(), 'handler bug', 'a 500 is logged')
  t.match(logs.text(), 'encryptionMasterKeyBase64', 'the missing option is logged (once, as a warning)')
})

t.test('duplicate names are answered once and the handler runs once per distinct channel', async (t) => {
  const app = await buildApp(t)
  const calls: string[] = []
  app.pusher.auth((request, channelName) => { calls.push(channelName); return true })
  const res = await postForm(app, '/pusher/auth', batch('1.42', ['private-a', 'private-b', 'private-a', 'private-a']))
  t.same(Object.keys(res.json()), ['private-a', 'private-b'])
  t.same(calls.sort(), ['private-a', 'private-b'])
})

t.test('channels are taken in index order, wherever they stand in the body', async (t) => {
  const app = await buildApp(t)
  app.pusher.auth(() => true)
  const res = await postForm(app, '/pusher/auth', 'channel_name[10]=private-c&socket_id=1.42&channel_name[2]=private-b&channel_name[0]=private-a')
  t.same(Object.keys(res.json()), ['private-a', 'private-b', 'private-c'])
})

t.test('a batch without channel_name[0] is a 400', async (t) => {
  const app = await buildApp(t)
  app.pusher.auth(() => true)
  for (const body of ['&socket_id=1.42', '&socket_id=1.42&channel_name[1]=private-a']) {
    const res = await postForm(app, '/pusher/auth', body)
    t.equal(res.statusCode, 400)
    t.equal(res.json().code, 'FST_PUSHER_MISSING_CHANNEL_NAME')
    t.match(res.json().message, 'channel_name[0]')
  }
})

t.test('an invalid socket_id fails the whole batch with 400', async (t) => {
  const app = await buildApp(t)
  app.pusher.auth(() => true)
  const res = await postForm(app, '/pusher/auth', batch('1.4x', ['private-a', 'private-b']))
  t.equal(res.statusCode, 400)
  t.match(res.json().message, 'socket_id')
})

t.test('a field given twice fails the whole batch with 400', async (t) => {
  const app = await buildApp(t)
  app.pusher.auth(() => true)
  const res = await postForm(app, '/pusher/auth', '&socket_id=1.42&channel_name[0]=private-a&channel_name[0]=private-b')
  t.equal(res.statusCode, 400)
  t.match(res.json().message, 'body/channel_name[0] is given more than once')
})

t.test('at most 100 distinct channels in one batch', async (t) => {
  const app = await buildApp(t)
  app.pusher.auth(() => true)
  const names = (n: number): string[] => Array.from({ length: n }, (_, i) => `private-${i}`)
  const hundred = await postForm(app, '/pusher/auth', batch('1.42', [...names(100), 'private-0']))
  t.equal(hundred.statusCode, 200)
  t.equal(Object.keys(hundred.json()).length, 100)
  const tooMany = await postForm(app, '/pusher/auth', batch('1.42', names(101)))
  t.equal(tooMany.statusCode, 400)
  t.same(tooMany.json().code, 'FST_PUSHER_TOO_MANY_CHANNELS')
})

t.test('async handlers: each channel settles on its own, in the answer\'s order', async (t) => {
  const logs = captureLogs()
  const app = await buildApp(t, {}, { logger: logs.logger })
  app.pusher.auth(async (request, channelName) => {
    await new Promise((resolve) => setTimeout(resolve, channelName === 'private-slow' ? 20 : 1))
    if (channelName === 'private-teapot') throw Object.assign(new Error('no'), { statusCode: 418 })
    if (channelName === 'private-broken') throw new Error('async handler bug')
    return channelName !== 'private-refused'
  })
  const res = await postForm(app, '/pusher/auth', batch('1.42', ['private-slow', 'private-teapot', 'private-broken', 'private-refused', 'private-ok']))
  const answer = res.json()
  t.same(Object.keys(answer), ['private-slow', 'private-teapot', 'private-broken', 'private-refused', 'private-ok'])
  t.same(Object.values(answer).map((entry: any) => entry.status), [200, 418, 500, 403, 200])
  t.equal(answer['private-slow'].data.auth, `${KEY}:${hmac('1.42:private-slow')}`)
  t.match(logs.text(), 'async handler bug')
})

t.test('fields that only look like batch fields are ignored', async (t) => {
  const app = await buildApp(t)
  app.pusher.auth(() => true)
  const res = await postForm(app, '/pusher/auth', '&socket_id=1.42&channel_name[0]=private-a&channel_name[x]=private-b&channel_name[1]x=private-c')
  t.same(Object.keys(res.json()), ['private-a'])
})

t.test('batch field values: a form field given twice, a JSON value that is not a string', async (t) => {
  const app = await buildApp(t)
  app.pusher.auth(() => true)
  const twice = await postForm(app, '/pusher/auth', '&socket_id=1.42&channel_name[0]=private-a&channel_name[1]=private-b&channel_name[1]=private-c')
  t.equal(twice.statusCode, 400)
  t.same(twice.json(), { statusCode: 400, code: 'FST_PUSHER_DUPLICATE_FIELD', error: 'Bad Request', message: 'body/channel_name[1] is given more than once' })
  for (const value of [5, ['private-b'], null, { a: 1 }]) {
    const res = await app.inject({ method: 'POST', url: '/pusher/auth', payload: { socket_id: '1.42', 'channel_name[0]': 'private-a', 'channel_name[1]': value } })
    t.equal(res.statusCode, 400, JSON.stringify(value))
    t.same(res.json(), { statusCode: 400, code: 'FST_PUSHER_INVALID_FIELD', error: 'Bad Request', message: 'body/channel_name[1] must be string' })
  }
  const unordered = await app.inject({ method: 'POST', url: '/pusher/auth', payload: { socket_id: '1.42', 'channel_name[1]': 7, 'channel_name[0]': 'private-a', extra: 1 } })
  t.equal(unordered.json().message, 'body/channel_name[1] must be string', 'also off the sequential path')
})

t.test('a long batch of repeated names: more than 100 fields, at most 100 distinct channels', async (t) => {
  const app = await buildApp(t)
  app.pusher.auth(() => true)
  const names = Array.from({ length: 300 }, (_, i) => `private-${i % 100}`)
  const res = await postForm(app, '/pusher/auth', batch('1.42', names))
  t.equal(res.statusCode, 200)
  t.equal(Object.keys(res.json()).length, 100)
  const tooMany = await postForm(app, '/pusher/auth', batch('1.42', Array.from({ length: 150 }, (_, i) => `private-${i}`)))
  t.equal(tooMany.statusCode, 400)
  t.equal(tooMany.json().message, 'A batch may authorize at most 100 channels, got 150')
})
