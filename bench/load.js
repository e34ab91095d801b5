'use strict'
// The load generator, in its own process: `node bench/load.js JSON` with
// { url, body, headers, connections, duration }; prints autocannon's result as JSON.
const autocannon = require('autocannon')

const { url, body, headers, connections, duration } = JSON.parse(process.argv[2])
autocannon({ url, method: 'POST', body, headers, connections, duration }, (error, result) => {
  if (error) throw error
  process.stdout.write(JSON.stringify({
    requests: result.requests.total,
    perSecond: result.requests.total / (result.duration || duration),
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts
  }))
})
