'use strict'
// Part of npm run bench: what the diagnostics channels cost with no subscriber. The only work the
// plugin then does is its checks for a subscriber (no message is built: test/telemetry/no-subscriber.test.ts),
// so each check is timed here, in the same run as the routes, and set against a request of each row.
const { apiChannel, authChannel, batchChannel, isTraced, webhookChannel, webhookEventChannel } = require('../dist/lib/telemetry/channels')

const CHECKS = 10_000_000

/** ns per call of `check`, the median of 5 runs of CHECKS calls. */
function nsPerCheck (check) {
  const runs = []
  let seen = 0
  for (let run = 0; run < 5; run++) {
    const started = process.hrtime.bigint()
    for (let i = 0; i < CHECKS; i++) if (check()) seen++
    runs.push(Number(process.hrtime.bigint() - started) / CHECKS)
  }
  if (seen !== 0) throw new Error('a subscriber listens: the no-subscriber cost cannot be measured')
  return runs.sort((a, b) => a - b)[2]
}

/** Prints the checks' cost per request of each route row (results: name -> { plugin: req/s }). */
function benchGuards (results) {
  const traced = nsPerCheck(() => isTraced(apiChannel) || isTraced(authChannel))
  const plain = nsPerCheck(() => batchChannel.hasSubscribers || webhookEventChannel.hasSubscribers)
  const webhookCheck = nsPerCheck(() => isTraced(webhookChannel) || webhookEventChannel.hasSubscribers)
  console.log(`diagnostics channels, no subscriber: ${(traced / 2).toFixed(1)} ns per tracing-channel check, ${(plain / 2).toFixed(1)} ns per plain-channel check (the only work done)`)
  // Checks per request: an authorization 1 (each channel of a batch 1), a sign-in 1, a webhook delivery 1 (two channels).
  const perRequest = { private: traced / 2, presence: traced / 2, 'batch of 10': 10 * traced / 2, 'batch of 100': 100 * traced / 2, 'user auth': traced / 2 }
  for (const [name, ns] of Object.entries(perRequest).concat(['webhook 1 event', 'webhook 10 events', 'webhook 100 events'].map((name) => [name, webhookCheck]))) {
    const result = results[name]
    if (result === undefined) continue
    const requestNs = 1e9 / result.plugin
    console.log(`  ${name.padEnd(18)} ${ns.toFixed(1).padStart(6)} ns of checks in a request of ${(requestNs / 1000).toFixed(1)} µs (${(100 * ns / requestNs).toFixed(3)}%)`)
  }
  console.log(`  a trigger: 3 checks (batch add, batch flush, API call), ${(traced / 2 + plain).toFixed(1)} ns`)
}

module.exports = { benchGuards }
