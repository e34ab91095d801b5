import t from 'tap'
import { buildApp, captureLogs, hmac, KEY, MASTER_KEY, postForm } from '../helpers/app'

const batch = (socketId: string, names: string[]): string =>
  `&socket_id=${socketId}` + names.map((name, i) => `&channel_name[${i}]=${name}`).join('')

t.test('one rule serves private, encrypted and presence channels; params and channel are given', async (t) => {
  const app = await buildApp(t, { encryptionMasterKeyBase64: MASTER_KEY })
  const calls: unknown[] = []
  app.pusher.channel('orders.{orderId}.items.{itemId}', (request, params, channel) => {
    calls.push([request.method, { ...params }, channel])
    return true
  })
  for (const name of ['private-orders.7.items.a-b', 'private-encrypted-orders.7.items.a-b', 'presence-orders.7.items.a-b']) {
    t.equal((await postForm(app, '/pusher/auth', `socket_id=1.42&channel_name=${name}`)).statusCode, 200, name)
  }
  t.same(calls, [
    ['POST', { orderId: '7', itemId: 'a-b' }, { name: 'private-orders.7.items.a-b', type: 'private', socketId: '1.42' }],
    ['POST', { orderId: '7', itemId: 'a-b' }, { name: 'private-encrypted-orders.7.items.a-b', type: 'encrypted', socketId: '1.42' }],
    ['POST', { orderId: '7', itemId: 'a-b' }, { name: 'presence-orders.7.items.a-b', type: 'presence', socketId: '1.42' }]
  ])
})

t.test('the whole name must match, and a placeholder never spans a dot', async (t) => {
  const app = await buildApp(t)
  const matched: string[] = []
  app.pusher.channel('orders.{id}', (request, params, channel) => { matched.push(channel.name); return true })
  const names = ['private-orders.1', 'private-orders.1.2', 'private-orders.', 'private-xorders.1', 'private-orders.1x', 'private-orders']
  const answer = (await postForm(app, '/pusher/auth', batch('1.42', names))).json()
  t.same(matched, ['private-orders.1', 'private-orders.1x'])
  t.same(Object.fromEntries(Object.entries(answer).map(([name, entry]: [string, any]) => [name, entry.status])), {
    'private-orders.1': 200,
    'private-orders.1.2': 403,
    'private-orders.': 403,
    'private-xorders.1': 403,
    'private-orders.1x': 200,
    'private-orders': 403
  }, 'no rule matches and no auth handler: deny by default')
})

t.test('literal parts are literal: "." and "-" and "=" match only themselves', async (t) => {
  const app = await buildApp(t)
  app.pusher.channel('a.b-c=d@e,f;g_{x}', () => true)
  t.equal((await postForm(app, '/pusher/auth', 'socket_id=1.42&channel_name=private-a.b-c=d@e,f;g_1')).statusCode, 200)
  t.equal((await postForm(app, '/pusher/auth', 'socket_id=1.42&channel_name=private-aXb-c=d@e,f;g_1')).statusCode, 403)
})

t.test('rules are tried in order and the first match decides, even when it refuses', async (t) => {
  const app = await buildApp(t)
  const tried: string[] = []
  app.pusher.channel('chat.{room}', () => { tried.push('first'); return false })
  app.pusher.channel('chat.{anything}', () => { tried.push('second'); return true })
  app.pusher.auth(() => { tried.push('auth'); return true })
  const res = await postForm(app, '/pusher/auth', 'socket_id=1.42&channel_name=private-chat.1')
  t.equal(res.statusCode, 403)
  t.equal(res.json().code, 'FST_PUSHER_FORBIDDEN')
  t.same(tried, ['first'])
})

t.test('no rule matches: the auth handler decides; without one, 403', async (t) => {
  const app = await buildApp(t)
  app.pusher.channel('orders.{id}', () => true)
  t.equal((await postForm(app, '/pusher/auth', 'socket_id=1.42&channel_name=private-chat')).statusCode, 403, 'rules alone: deny by default')
  t.equal((await postForm(app, '/pusher/auth', 'socket_id=1.42&channel_name=private-orders.1')).statusCode, 200, 'a rule alone opens the route')
  const asked: string[] = []
  app.pusher.auth((request, channelName) => { asked.push(channelName); return true })
  t.equal((await postForm(app, '/pusher/auth', 'socket_id=1.42&channel_name=private-chat')).statusCode, 200)
  t.equal((await postForm(app, '/pusher/auth', 'socket_id=1.42&channel_name=private-orders.1')).statusCode, 200)
  t.same(asked, ['private-chat'], 'the handler is not asked for a channel a rule decided')
})

t.test('falsy values refuse; true and objects allow; async rules too', async (t) => {
  const app = await buildApp(t)
  const returns: unknown[] = [false, null, undefined, 0, '', true, { user_id: 'u' }, 'yes']
  let i = 0
  app.pusher.channel('r.{n}', async () => returns[i] as any)
  const statuses: number[] = []
  for (i = 0; i < returns.length; i++) statuses.push((await postForm(app, '/pusher/auth', `socket_id=1.42&channel_name=private-r.${i}`)).statusCode)
  t.same(statuses, [403, 403, 403, 403, 403, 200, 200, 200])
})

t.test('on a private channel a returned object is ignored: no channel_data', async (t) => {
  const app = await buildApp(t)
  app.pusher.channel('r', () => ({ user_id: 'u1' }))
  t.same((await postForm(app, '/pusher/auth', 'socket_id=1.42&channel_name=private-r')).json(), { auth: `${KEY}:${hmac('1.42:private-r')}` })
})

t.test('a rule\'s 4xx passes through; any other throw is a logged 500 naming the rule', async (t) => {
  const logs = captureLogs()
  const app = await buildApp(t, {}, { logger: logs.logger })
  app.pusher.channel('teapot', () => { throw Object.assign(new Error('short and stout'), { statusCode: 418 }) })
  app.pusher.channel('broken', async () => { throw new Error('rule bug') })
  const teapot = await postForm(app, '/pusher/auth', 'socket_id=1.42&channel_name=private-teapot')
  t.equal(teapot.statusCode, 418)
  t.equal(teapot.json().message, 'short and stout')
  const broken = await postForm(app, '/pusher/auth', 'socket_id=1.42&channel_name=private-broken')
  t.equal(broken.statusCode, 500)
  t.same(broken.json(), { statusCode: 500, code: 'FST_PUSHER_HANDLER_FAILED', error: 'Internal Server Error', message: 'The channel rule "broken" handler failed' })
  t.match(logs.text(), 'rule bug')
})

t.test('batch auth goes through the rules, channel by channel', async (t) => {
  const app = await buildApp(t)
  app.pusher.channel('orders.{id}', (request, { id }) => id !== '2')
  app.pusher.channel('members.{team}', (request, { team }) => ({ user_id: `lead-${team}` }))
  app.pusher.auth((request, channelName) => channelName === 'private-open')
  const answer = (await postForm(app, '/pusher/auth', batch('1.42', ['private-orders.1', 'private-orders.2', 'presence-members.red', 'private-open', 'private-closed']))).json()
  const member = '{"user_id":"lead-red"}'
  t.same(answer, {
    'private-orders.1': { status: 200, data: { auth: `${KEY}:${hmac('1.42:private-orders.1')}` } },
    'private-orders.2': { status: 403 },
    'presence-members.red': { status: 200, data: { auth: `${KEY}:${hmac(`1.42:presence-members.red:${member}`)}`, channel_data: member } },
    'private-open': { status: 200, data: { auth: `${KEY}:${hmac('1.42:private-open')}` } },
    'private-closed': { status: 403 }
  })
})

t.test('params is a plain object; a placeholder may not be named __proto__', async (t) => {
  const app = await buildApp(t)
  let seen: any
  app.pusher.channel('x.{constructor}', (request, params) => { seen = params; return true })
  t.equal((await postForm(app, '/pusher/auth', 'socket_id=1.42&channel_name=private-x.polluted')).statusCode, 200)
  t.same(seen, { constructor: 'polluted' })
  t.equal(Object.getPrototypeOf(seen), Object.prototype)
  t.throws(() => app.pusher.channel('x.{__proto__}', () => true), { code: 'FST_PUSHER_INVALID_CHANNEL_PATTERN', message: /\{__proto__\} is reserved/ })
})

t.test('bad patterns throw FST_PUSHER_INVALID_CHANNEL_PATTERN at declaration', async (t) => {
  const app = await buildApp(t)
  const bad: Array<[unknown, RegExp]> = [
    ['', /non-empty string/],
    [42, /non-empty string/],
    ['orders.{id', /not closed/],
    ['orders.{{id}}', /not closed/],
    ['orders.id}', /has no "\{"/],
    ['orders.{}', /JavaScript identifier/],
    ['orders.{1id}', /JavaScript identifier/],
    ['orders.{a-b}', /JavaScript identifier/],
    ['orders/{id}', /"\/" is not allowed/],
    ['orders {id}', /" " is not allowed/],
    ['a.{id}.b.{id}', /\{id\} is used twice/],
    ['private-orders.{id}', /leave out the private-, private-encrypted- or presence- prefix/],
    ['presence-room', /leave out the .* prefix/],
    ['private-encrypted-x', /leave out the .* prefix/]
  ]
  for (const [pattern, message] of bad) {
    t.throws(() => app.pusher.channel(pattern as string, () => true), { code: 'FST_PUSHER_INVALID_CHANNEL_PATTERN', message }, String(pattern))
  }
  t.throws(() => app.pusher.channel('ok', 'yes' as any), { code: 'FST_PUSHER_INVALID_HANDLER' })
})

t.test('presence members: a rule\'s object, then channelData, then userAuth, then the socket id', async (t) => {
  const app = await buildApp(t)
  const member = async (name: string): Promise<string> =>
    (await postForm(app, '/pusher/auth', `socket_id=1.42&channel_name=${name}`)).json().channel_data
  app.pusher.channel('ruled', () => ({ user_id: 7, user_info: { from: 'rule' } }))
  app.pusher.channel('allowed', () => true)
  app.pusher.auth(() => true)
  t.equal(await member('presence-allowed'), '{"user_id":"1.42"}', 'nothing set: the socket id')
  app.pusher.userAuth(async () => ({ id: 'ann', user_info: { from: 'user' }, watchlist: ['bob'] }))
  t.equal(await member('presence-allowed'), '{"user_id":"ann","user_info":{"from":"user"}}', 'userAuth: its id and user_info')
  t.equal(await member('presence-other'), '{"user_id":"ann","user_info":{"from":"user"}}', 'also when the auth handler decided')
  app.pusher.channelData(() => ({ user_id: 'cd' }))
  t.equal(await member('presence-allowed'), '{"user_id":"cd"}', 'channelData wins over userAuth')
  t.equal(await member('presence-ruled'), '{"user_id":"7","user_info":{"from":"rule"}}', 'a rule\'s object wins over all')
})

t.test('presence from userAuth: a signed-out user keeps the socket id; a bad user is a 500', async (t) => {
  const app = await buildApp(t)
  app.pusher.auth(() => true)
  app.pusher.userAuth(() => null)
  t.equal((await postForm(app, '/pusher/auth', 'socket_id=1.42&channel_name=presence-a')).json().channel_data, '{"user_id":"1.42"}')
  app.pusher.userAuth(() => ({ id: 5 }))
  t.equal((await postForm(app, '/pusher/auth', 'socket_id=1.42&channel_name=presence-a')).json().channel_data, '{"user_id":"5"}')
  app.pusher.userAuth(() => ({ id: '' }))
  const res = await postForm(app, '/pusher/auth', 'socket_id=1.42&channel_name=presence-a')
  t.equal(res.statusCode, 500)
  t.equal(res.json().code, 'FST_PUSHER_INVALID_USER_DATA')
})

t.test('a rule\'s member is checked as channelData results are', async (t) => {
  const app = await buildApp(t)
  app.pusher.channel('bad', () => ({ user_id: '' }))
  app.pusher.channel('long', () => ({ user_id: 'x'.repeat(129) }))
  app.pusher.channel('keep', () => ({ user_info: { a: 1 } }))
  for (const name of ['presence-bad', 'presence-long']) {
    const res = await postForm(app, '/pusher/auth', `socket_id=1.42&channel_name=${name}`)
    t.equal(res.statusCode, 500)
    t.equal(res.json().code, 'FST_PUSHER_INVALID_CHANNEL_DATA')
    t.match(res.json().message, 'The channel rule returned an invalid presence member')
  }
  t.equal((await postForm(app, '/pusher/auth', 'socket_id=1.42&channel_name=presence-keep')).json().channel_data, '{"user_id":"1.42","user_info":{"a":1}}')
})

t.test('patterns whose placeholders are not ended by a "." match as a regular expression would', async (t) => {
  const app = await buildApp(t)
  const seen: unknown[] = []
  app.pusher.channel('{a}-{b}', (request, params) => { seen.push({ ...params }); return true })
  app.pusher.channel('doc{id}', (request, params) => { seen.push({ ...params }); return true })
  for (const name of ['private-x-y-z', 'private-docs', 'private-doc', 'private-x.y-z']) {
    await postForm(app, '/pusher/auth', `socket_id=1.42&channel_name=${name}`)
  }
  t.same(seen, [{ a: 'x-y', b: 'z' }, { id: 's' }], '[^.]+ is greedy; "doc" alone and a "." in a placeholder do not match')
})

t.test('a rule that starts with a placeholder is tried in declaration order among the others', async (t) => {
  const app = await buildApp(t)
  const order: string[] = []
  app.pusher.channel('orders.{id}', () => { order.push('orders'); return false })
  app.pusher.channel('{any}.{id}', () => { order.push('any'); return true })
  app.pusher.channel('orders.x', () => { order.push('never: declared after {any}.{id}'); return true })
  app.pusher.channel('lobby', () => { order.push('lobby'); return true })
  for (const name of ['private-orders.1', 'private-orders.x', 'private-rooms.1', 'private-lobby', 'private-lobby.1']) {
    await postForm(app, '/pusher/auth', `socket_id=1.42&channel_name=${name}`)
  }
  t.same(order, ['orders', 'orders', 'any', 'lobby', 'any'])
})

t.test('property: a rule matches exactly the names its pattern, read as a regular expression, matches', async (t) => {
  const fc = await import('fast-check')
  const { compileChannelPattern } = await import('../../lib/auth/channel-pattern')
  const literal = fc.stringMatching(/^[a-c.-]{1,3}$/)
  const pattern = fc.array(fc.oneof(literal, fc.constantFrom('{p}', '{q}', '{r}')), { minLength: 1, maxLength: 5 })
    .map((parts) => parts.join(''))
    .filter((text) => new Set(text.match(/\{\w\}/g) ?? []).size === (text.match(/\{\w\}/g) ?? []).length)
  const reference = (text: string): RegExp => new RegExp(`^${text.replace(/[.-]/g, '\\$&').replace(/\{(\w)\}/g, '(?<$1>[^.]+)')}$`)
  fc.assert(fc.property(pattern, fc.stringMatching(/^[a-c.-]{0,12}$/), (text, name) => {
    const expected = reference(text).exec(name)
    const params = compileChannelPattern(text).match(`private-${name}`, 8)
    if (expected === null) return params === undefined
    return params !== undefined && JSON.stringify({ ...params }) === JSON.stringify({ ...expected.groups })
  }), { numRuns: 3000 })
  t.pass('3000 patterns and names')
})
