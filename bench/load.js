'use strict'
// The load generator, in its own process: `node bench/load.js JSON` with
// { url, body, headers, connections, duration, webhook? }; prints autocannon's result as JSON.
// With `webhook: { events, secret }` every request is a new delivery: its own time_ms,
// signed here (HMAC-SHA256 of the body), so that no request is a duplicate of another.
const { createHmac } = require('node:crypto')
const autocannon = require('autocannon')

const { url, body, headers, connections, duration, webhook } = JSON.parse(process.argv[2])
const options = { url, method: 'POST', body, headers, connections, duration }
if (webhook !== undefined) {
  let n = 0
  options.requests = [{
    setupRequest: (request) => {
      const delivery = `{"time_ms":${1700000000000 + n++},"events":${webhook.events}}`
      return { ...request, body: delivery, headers: { ...headers, 'x-pusher-signature': createHmac('sha256', webhook.secret).update(delivery).digest('hex') } }
    }
  }]
}
autocannon(options, (error, result) => {
  if (error) throw error
  process.stdout.write(JSON.stringify({
    requests: result.requests.total,
    perSecond: result.requests.total / (result.duration || duration),
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts
  }))
})
