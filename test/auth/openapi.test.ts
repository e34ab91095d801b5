import swagger from '@fastify/swagger'
import { Value } from '@sinclair/typebox/value'
import t, { type Test } from 'tap'
import fastifyPusher, { AuthResponse, BatchAuthResponse, ChannelAuthResponse, ErrorResponse, UserAuthResponse } from '../../index'
import { checkedFastify, credentials, postForm } from '../helpers/app'

async function openapiApp (t: Test, options: object = {}) {
  const app = checkedFastify(t)
  t.teardown(async () => { await app.close() })
  await app.register(swagger, { openapi: { info: { title: 'test', version: '1' } } })
  await app.register(fastifyPusher, { ...credentials, ...options })
  await app.ready()
  return app
}

t.test('with @fastify/swagger, every plugin route is in the OpenAPI document', async (t) => {
  const app = await openapiApp(t)
  const spec = app.swagger() as any
  t.same(Object.keys(spec.paths).sort(), [
    '/pusher/auth', '/pusher/events', '/pusher/events/cache_miss', '/pusher/events/channel_existence', '/pusher/events/client',
    '/pusher/events/presence', '/pusher/events/subscription_count', '/pusher/user-auth'
  ])

  const auth = spec.paths['/pusher/auth'].post
  t.same(Object.keys(auth.requestBody.content).sort(), ['application/json', 'application/x-www-form-urlencoded'], 'form and JSON')
  const body = auth.requestBody.content['application/x-www-form-urlencoded'].schema
  t.equal(body.anyOf.length, 2, 'a single and a batch body')
  const [single, batch] = body.anyOf
  t.same(single.required.sort(), ['channel_name', 'socket_id'])
  t.match(single.properties.channel_name, { type: 'string', maxLength: 164 })
  t.match(single.properties.socket_id, { type: 'string', maxLength: 64 })
  t.ok(batch.properties['channel_name[0]'], 'the batch names its first field')
  t.match(batch.description, /channel_name\[1\].*channel_name\[N\].*at most 100/, 'and describes the others')
  t.match(batch.additionalProperties, { type: 'string' })
  t.same(Object.keys(auth.responses).sort(), ['200', '400', '403', '404', '413', '415', '500', '503'], '503: a handler timeout, or a tenant not looked up')
  const answer = auth.responses['200'].content['application/json'].schema
  t.equal(answer.anyOf.length, 2, 'the single and the batch answer')
  t.same(answer.anyOf[0].required, ['auth'])
  t.match(answer.anyOf[1].additionalProperties, { type: 'object', properties: { status: { type: 'integer' } } })
  t.same(auth.responses['403'].content['application/json'].schema.required.sort(), ['code', 'error', 'message', 'statusCode'])

  const userAuth = spec.paths['/pusher/user-auth'].post
  t.same(Object.keys(userAuth.requestBody.content).sort(), ['application/json', 'application/x-www-form-urlencoded'])
  t.same(userAuth.responses['200'].content['application/json'].schema.required.sort(), ['auth', 'user_data'])

  const presence = spec.paths['/pusher/events/presence'].post
  t.same(Object.keys(presence.requestBody.content), ['application/json'])
  t.same(presence.requestBody.content['application/json'].schema.required.sort(), ['events', 'time_ms'])
  t.ok(presence.responses['200'] && presence.responses['403'] && presence.responses['409'])
  const eventNames = (path: string): string[] =>
    spec.paths[path].post.requestBody.content['application/json'].schema.properties.events.items.anyOf.map((event: any) => event.properties.name.enum?.[0] ?? event.properties.name.const)
  t.same(eventNames('/pusher/events/presence'), ['member_added', 'member_removed'], 'a category route documents its own events')
  t.same(eventNames('/pusher/events').sort(), ['cache_miss', 'channel_occupied', 'channel_vacated', 'client_event', 'member_added', 'member_removed', 'subscription_count'])
  t.ok(spec.paths['/pusher/events/subscription_count'].post.requestBody.content['application/json'].schema.properties.events.items.properties.subscription_count)
})

t.test('routeOptions hide and tags reach the document', async (t) => {
  const app = await openapiApp(t, { routeOptions: { auth: { tags: ['realtime'] }, userAuth: { tags: ['realtime', 'users'] }, webhooks: { hide: true } } })
  const spec = app.swagger() as any
  t.same(Object.keys(spec.paths).sort(), ['/pusher/auth', '/pusher/user-auth'])
  t.same(spec.paths['/pusher/auth'].post.tags, ['realtime'])
  t.same(spec.paths['/pusher/user-auth'].post.tags, ['realtime', 'users'])
})

t.test('the routes answer what the documented response schemas say', async (t) => {
  const app = await openapiApp(t)
  app.pusher.auth((request, name) => name !== 'private-no')
  app.pusher.userAuth(() => ({ id: 'u' }))
  const single = await postForm(app, '/pusher/auth', 'socket_id=1.42&channel_name=presence-a')
  t.ok(Value.Check(ChannelAuthResponse, single.json()))
  const batch = await postForm(app, '/pusher/auth', '&socket_id=1.42&channel_name[0]=private-a&channel_name[1]=private-no&channel_name[2]=auth')
  t.ok(Value.Check(BatchAuthResponse, batch.json()))
  for (const res of [single, batch]) t.ok(Value.Check(AuthResponse, res.json()))
  t.ok(Value.Check(UserAuthResponse, (await postForm(app, '/pusher/user-auth', 'socket_id=1.42')).json()))
  for (const body of ['socket_id=1.42&channel_name=private-no', 'socket_id=x&channel_name=private-a', 'socket_id=1.42&channel_name=public']) {
    const res = await postForm(app, '/pusher/auth', body)
    t.ok(Value.Check(ErrorResponse, res.json()), `${res.statusCode} ${res.body}`)
  }
})

t.test('the exported AuthResponse works as a response schema for single and batch answers', async (t) => {
  const app = checkedFastify(t)
  t.teardown(async () => { await app.close() })
  const answers = [
    { auth: 'KEY:abc', channel_data: '{"user_id":"1"}' },
    { 'private-a': { status: 200, data: { auth: 'KEY:abc' } }, 'private-b': { status: 403 } },
    { auth: { status: 403 } }
  ]
  app.get('/answer/:i', { schema: { response: { 200: AuthResponse } } }, async (request) => answers[Number((request.params as any).i)])
  for (let i = 0; i < answers.length; i++) {
    const res = await app.inject(`/answer/${i}`)
    t.equal(res.statusCode, 200)
    t.same(res.json(), answers[i])
  }
})
