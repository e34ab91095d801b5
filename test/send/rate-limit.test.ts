// A 429 (rate limited: nothing was processed) is retried on the direct path without retryUnsafe,
// after the server's Retry-After (or the backoff), within `timeout` and `retries`.
import t from 'tap'
import { buildApp } from '../helpers/app'
import { json, rawApi, type Handler } from '../helpers/fake-api'
import { MAX_RETRY_AFTER_MS, retryAfterMs } from '../../lib/send/retry-after'

const options = (port: number) => ({ host: '127.0.0.1', port, useTLS: false })

/** Answers 429 (with `headers`) to the first `limited` requests, then 200. */
const limitedThen = (limited: number, headers: Record<string, string> = {}): Handler => {
  let seen = 0
  return (req, res, body) => {
    if (++seen > limited) return json(200, {})(req, res, body)
    res.writeHead(429, { 'content-type': 'application/json', ...headers }).end(JSON.stringify({ error: 'Too many requests' }))
  }
}

t.test('a 429 is retried after Retry-After, without retryUnsafe, and the event is sent once', async (t) => {
  const api = await rawApi(t, limitedThen(1, { 'retry-after': '0' }))
  const app = await buildApp(t, options(api.port))
  t.same(await app.pusher.trigger('chat', 'e', { n: 1 }), {})
  t.equal(api.requests.length, 2, 'refused once, then sent')
  t.equal(api.requests[0], api.requests[1], 'the same call again')
})

t.test('without Retry-After the backoff decides; an HTTP date is honoured too', async (t) => {
  const api = await rawApi(t, limitedThen(2))
  const app = await buildApp(t, options(api.port))
  t.same(await app.pusher.sendToUser('ann', 'e', 1), {})
  t.equal(api.requests.length, 3, 'two 429s, then sent (retries: 2)')
  const dated = await rawApi(t, limitedThen(1, { 'retry-after': new Date(Date.now() - 1000).toUTCString() }))
  t.same(await (await buildApp(t, options(dated.port))).pusher.trigger('chat', 'e', 1), {})
  t.equal(dated.requests.length, 2)
})

t.test('soketi\'s form, a 200 with { error, code: 429 }, is a 429 too', async (t) => {
  let seen = 0
  const api = await rawApi(t, (req, res, body) => json(200, ++seen === 1 ? { error: 'Too many requests', code: 429 } : {})(req, res, body))
  const app = await buildApp(t, options(api.port))
  t.same(await app.pusher.trigger('chat', 'e', 1), {})
  t.equal(api.requests.length, 2)
})

t.test('the retries are bounded: by retries, and by timeout (a wait past the deadline is not made)', async (t) => {
  const always = await rawApi(t, limitedThen(Infinity, { 'retry-after': '0' }))
  await t.rejects((await buildApp(t, options(always.port))).pusher.trigger('chat', 'e', 1), { code: 'FST_PUSHER_API_ERROR', statusCode: 429, serverMessage: 'Too many requests' })
  t.equal(always.requests.length, 3, 'one call and 2 retries')
  const none = await rawApi(t, limitedThen(1))
  await t.rejects((await buildApp(t, { ...options(none.port), retries: 0 })).pusher.trigger('chat', 'e', 1), { code: 'FST_PUSHER_API_ERROR', statusCode: 429 })
  t.equal(none.requests.length, 1, 'retries: 0')
  const later = await rawApi(t, limitedThen(1, { 'retry-after': '30' }))
  await t.rejects((await buildApp(t, { ...options(later.port), timeout: 1000 })).pusher.trigger('chat', 'e', 1), { code: 'FST_PUSHER_API_ERROR', statusCode: 429 })
  t.equal(later.requests.length, 1, 'a Retry-After of 30 s is past the 1 s timeout: rejected at once')
})

t.test('other 4xx answers are still never retried', async (t) => {
  for (const status of [400, 401, 403, 404, 413]) {
    const api = await rawApi(t, json(status, { error: 'no' }))
    await t.rejects((await buildApp(t, options(api.port))).pusher.trigger('chat', 'e', 1), { code: 'FST_PUSHER_API_ERROR', statusCode: status })
    t.equal(api.requests.length, 1, `${status}: not retried`)
  }
})

t.test('retryAfterMs reads seconds and HTTP dates, at most 60 s, never negative', async (t) => {
  const now = Date.parse('2026-12-01T00:00:00Z')
  t.equal(retryAfterMs(undefined, now), undefined)
  t.equal(retryAfterMs('2', now), 2000)
  t.equal(retryAfterMs(' 0 ', now), 0)
  t.equal(retryAfterMs('Tue, 01 Dec 2026 00:00:05 GMT', now), 5000)
  t.equal(retryAfterMs('Mon, 30 Nov 2026 23:59:00 GMT', now), 0, 'a date passed: at once')
  t.equal(retryAfterMs('3600', now), MAX_RETRY_AFTER_MS)
  t.equal(retryAfterMs('soon', now), undefined)
  t.equal(retryAfterMs('-5', now), undefined, 'not a delay in seconds, not a date')
})
