// What the worker does with each kind of failure, and how long it waits.
import t from 'tap'
import { failureReason, outcomeOf, retryDelay } from '../../lib/queue/outcome'

t.test('by answer: reject 400/404/413, pause 401/403, retry 429, 5xx, other 4xx, timeouts, unreachable, cut off', async (t) => {
  const api = (statusCode: number) => ({ code: 'FST_PUSHER_API_ERROR', statusCode })
  t.same([400, 404, 413].map((status) => outcomeOf(api(status))), ['reject', 'reject', 'reject'])
  t.same([401, 403].map((status) => outcomeOf(api(status))), ['pause', 'pause'])
  t.same([429, 500, 502, 503, 409].map((status) => outcomeOf(api(status))), ['retry', 'retry', 'retry', 'retry', 'retry'])
  t.same(['FST_PUSHER_API_TIMEOUT', 'FST_PUSHER_API_UNREACHABLE', 'FST_PUSHER_CLOSED'].map((code) => outcomeOf({ code })), ['retry', 'retry', 'retry'])
  t.equal(outcomeOf(new Error('You must set encryptionMasterKeyBase64 to use encrypted channels')), 'reject', 'the client refusing the event: trying again changes nothing')
})

t.test('retryDelay: Retry-After (at least minMs), else exponential with jitter within [minMs, maxMs]', async (t) => {
  const backoff = { minMs: 1000, maxMs: 60_000 }
  t.equal(retryDelay({ retryAfterMs: 5000 }, 0, backoff), 5000)
  t.equal(retryDelay({ retryAfterMs: 0 }, 0, backoff), 1000)
  for (let tries = 0; tries < 40; tries++) {
    const delay = retryDelay({}, tries, backoff)
    t.ok(delay >= 1000 && delay <= Math.min(60_000, 1000 * 2 ** tries), `try ${tries}: ${delay}`)
  }
  // Exponential with full jitter: at try 3, 200 waits spread over [1 s, 8 s]; none past it, many past 4 s.
  const waits = Array.from({ length: 200 }, () => retryDelay({}, 3, backoff))
  t.ok(waits.every((wait) => wait >= 1000 && wait <= 8000), 'within [1 s, 8 s]')
  t.ok(new Set(waits).size > 100, `jittered: ${new Set(waits).size} different waits of 200`)
  t.ok(waits.filter((wait) => wait > 4000).length > 20, 'reaching past what try 2 allows (4 s): the ceiling doubles')
  t.ok(waits.filter((wait) => wait < 4000).length > 20, 'and below it: full jitter, not the ceiling')
})

t.test('failureReason: the code and status only', async (t) => {
  t.same(JSON.parse(failureReason({ code: 'FST_PUSHER_API_ERROR', statusCode: 400, serverMessage: 'secret-ish' })), { code: 'FST_PUSHER_API_ERROR', statusCode: 400 })
  t.same(JSON.parse(failureReason(new Error('boom'))), { code: 'FST_PUSHER_QUEUE_FAILED' })
})
