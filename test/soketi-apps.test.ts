// examples/soketi.js with several apps (soketi's array app manager): each app its own credentials and clients.
import t from 'tap'
import { readdirSync } from 'node:fs'
import { tmpdir } from 'node:os'
import Pusher from 'pusher'
import { connectClient, nextEvent } from './helpers/pusher-js'
import { startSoketi, type Soketi } from './helpers/soketi'

/** The official client of a soketi app (its types want the port as a string). */
const official = (options: Soketi['pusherOptions']): Pusher => new Pusher({ ...options, port: String(options.port) })

t.test('soketi serves two apps: each trigger reaches its own app\'s clients only; a wrong secret is refused', async (t) => {
  const configs = (): string[] => readdirSync(tmpdir()).filter((name) => name.startsWith('soketi-'))
  const before = configs()
  const soketi = await startSoketi({ apps: [{ appId: 'app-2', key: 'key-2', secret: 'secret-2' }] })
  t.teardown(async () => { await soketi.stop() })
  t.same(soketi.apps.map((app) => app.appId), ['app-id', 'app-2'])
  t.equal(configs().length, before.length + 1, 'a config file in a temporary folder')
  const [one, two] = soketi.apps
  const clientOne = await connectClient(t, soketi)
  const clientTwo = await connectClient(t, { ...soketi, key: two.key })
  const [channelOne, channelTwo] = [clientOne.subscribe('news'), clientTwo.subscribe('news')]
  await Promise.all([nextEvent(channelOne, 'pusher:subscription_succeeded'), nextEvent(channelTwo, 'pusher:subscription_succeeded')])
  const seenByOne: unknown[] = []
  channelOne.bind('item', (data: unknown) => { seenByOne.push(data) })
  const got = nextEvent(channelTwo, 'item', 'app 2\'s event')
  await official(two.pusherOptions).trigger('news', 'item', { for: 'two' })
  t.same(await got, { for: 'two' })
  const marker = nextEvent(channelOne, 'marker')
  await official(one.pusherOptions).trigger('news', 'marker', {})
  await marker
  t.same(seenByOne, [], 'app 1\'s client saw nothing of app 2')
  const answer = await official({ ...two.pusherOptions, secret: one.secret }).trigger('news', 'item', {})
    .then(async (res) => `${res.status} ${await res.text()}`, (error: { status?: number, body?: string }) => `${String(error.status)} ${String(error.body)}`)
  t.equal(answer, '200 {"error":"The secret authentication failed","code":401}', 'signed with another app\'s secret: refused (soketi answers its errors with a 200)')
  await soketi.stop()
  t.same(configs(), before, 'the folder is removed on stop')
})
