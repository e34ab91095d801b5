import type { Test } from 'tap'
import Pusher, { type Options } from 'pusher-js'
import type { Soketi } from './soketi'

const DEADLINE_MS = 10_000

/** Resolves with the first `event` the emitter (a pusher-js client or channel) gives, or fails after 10 s. */
export async function nextEvent<T = any> (emitter: { bind: (event: string, cb: (data: T) => void) => unknown, unbind: (event: string, cb: (data: T) => void) => unknown }, event: string, what = event): Promise<T> {
  return await new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => { emitter.unbind(event, listener); reject(new Error(`no ${what} within ${DEADLINE_MS} ms`)) }, DEADLINE_MS)
    const listener = (data: T): void => { clearTimeout(timer); emitter.unbind(event, listener); resolve(data) }
    emitter.bind(event, listener)
  })
}

/** Polls `check` every 50 ms for at most 10 s. */
export async function eventually (check: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < DEADLINE_MS / 50; i++) {
    if (check()) return
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  throw new Error(`${what}: not within ${DEADLINE_MS} ms`)
}

/** A pusher-js (Node build) client of soketi, connected, disconnected when the test ends. */
export async function connectClient (t: Test, soketi: Soketi, options: Partial<Options> = {}): Promise<Pusher> {
  const client = new Pusher(soketi.key, {
    cluster: 'local', // pusher-js 8 wants one; wsHost wins
    wsHost: soketi.host,
    wsPort: soketi.port,
    forceTLS: false,
    enabledTransports: ['ws'],
    disableStats: true,
    ...options
  })
  t.teardown(() => { client.disconnect() })
  if (client.connection.state !== 'connected') await nextEvent(client.connection, 'connected', 'connection to soketi')
  return client
}

/** Two clients of soketi subscribed to `channel`: a sender (whose socket id a request carries) and another. */
export async function senderAndOther (t: Test, soketi: Soketi, channel: string) {
  const sender = await connectClient(t, soketi)
  const other = await connectClient(t, soketi)
  const [senderChannel, otherChannel] = [sender.subscribe(channel), other.subscribe(channel)]
  await Promise.all([nextEvent(senderChannel, 'pusher:subscription_succeeded'), nextEvent(otherChannel, 'pusher:subscription_succeeded')])
  return { sender, senderChannel, otherChannel }
}
