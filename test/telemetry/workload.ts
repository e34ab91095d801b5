// The known workload of the observability tests: 25 triggers in one turn (3 batch_events calls: 10, 10
// and 5 events), 3 channel authorizations of which 1 is refused, one webhook delivered twice (handled,
// then a duplicate), and one sign-in. Against a loopback stand-in for the API that answers 200.
import diagnosticsChannel from 'node:diagnostics_channel'
import type { FastifyInstance } from 'fastify'
import type { Test } from 'tap'
import { diagnosticChannels } from '../../index'
import { buildApp, postForm, postWebhook, SECRET } from '../helpers/app'
import { fakeApi } from '../helpers/fake-api'

/** What the workload sends that must never appear in a message, a span attribute or a metric label. */
export const SOCKET_ID = '123456.7654321'
export const EVENT_DATA = 'EVENT-DATA-MARKER'
export const USER_ID = 'user-8f3a'
export const FORBIDDEN: Array<[string, RegExp]> = [
  ['the app secret', new RegExp(SECRET)],
  ['a signature', /[0-9a-f]{64}/],
  ['an auth signature', /KEY:[0-9a-f]/],
  ['event data', new RegExp(EVENT_DATA)],
  ['a socket id', new RegExp(SOCKET_ID.replace('.', '\\.'))],
  ['a channel name', /orders\.[0-9]|presence-room|private-orders/],
  ['a user id', new RegExp(USER_ID)],
  ['a request URL', /auth_signature|auth_key=|\/apps\/4/]
]

/** Throws when `things` (messages, attributes, labels, as JSON) hold anything of FORBIDDEN. */
export function checkNoLeak (what: string, things: unknown[]): void {
  const text = things.map((thing) => JSON.stringify(thing)).join('\n')
  for (const [name, pattern] of FORBIDDEN) {
    if (pattern.test(text)) throw new Error(`${what} hold ${name}: ${text.match(pattern)?.[0] ?? ''}`)
  }
}

/** Every message published on the plugin's channels while it runs (tracing channels: each message once, as completed). */
export function recordMessages (t: Test): unknown[] {
  const seen: unknown[] = []
  const undo: Array<() => void> = []
  for (const name of [diagnosticChannels.api, diagnosticChannels.auth, diagnosticChannels.webhook, diagnosticChannels.queue]) {
    const channel = diagnosticsChannel.tracingChannel(name)
    const handlers = { asyncEnd: (message: unknown) => { seen.push({ channel: name, ...(message as object) }) } }
    channel.subscribe(handlers as never)
    undo.push(() => { channel.unsubscribe(handlers as never) })
  }
  for (const name of [diagnosticChannels.webhookEvent, diagnosticChannels.batch]) {
    const record = (message: unknown): void => { seen.push({ channel: name, ...(message as object) }) }
    diagnosticsChannel.subscribe(name, record)
    undo.push(() => { diagnosticsChannel.unsubscribe(name, record) })
  }
  t.teardown(() => { for (const each of undo) each() })
  return seen
}

export async function workloadApp (t: Test): Promise<{ app: FastifyInstance, calls: Awaited<ReturnType<typeof fakeApi>>['calls'] }> {
  const api = await fakeApi(t)
  const app = await buildApp(t, api.options)
  app.pusher.channel('orders.{orderId}', (_request, { orderId }) => orderId !== '3')
  app.pusher.userAuth(() => ({ id: USER_ID }))
  app.pusher.webhooks.on('member_added', () => {})
  return { app, calls: api.calls }
}

export const WEBHOOK_BODY = JSON.stringify({ time_ms: 1_700_000_000_000, events: [{ name: 'member_added', channel: 'presence-room', user_id: USER_ID }] })

export async function runWorkload (t: Test, app: FastifyInstance): Promise<void> {
  await Promise.all(Array.from({ length: 25 }, async (_, n) => await app.pusher.trigger('chat', 'message', { text: EVENT_DATA, n })))
  const statuses = []
  for (const order of [1, 2, 3]) {
    statuses.push((await postForm(app, '/pusher/auth', `socket_id=${SOCKET_ID}&channel_name=private-orders.${order}`)).statusCode)
  }
  t.same(statuses, [200, 200, 403], 'two authorizations allowed, one refused')
  t.equal((await postForm(app, '/pusher/user-auth', `socket_id=${SOCKET_ID}`)).statusCode, 200, 'a sign-in')
  const deliveries = [(await postWebhook(app, 'presence', WEBHOOK_BODY)).statusCode, (await postWebhook(app, 'presence', WEBHOOK_BODY)).statusCode]
  t.same(deliveries, [200, 200], 'one webhook delivered twice, answered 200 both times')
}
