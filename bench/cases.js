'use strict'
// The requests the benchmark sends, and what each contender serves them at.
const credentials = { appId: '1', key: 'KEY', secret: 'SUPERSECRET', cluster: 'eu' }
const form = { 'content-type': 'application/x-www-form-urlencoded' }
const batch = (n) => '&socket_id=1234.5678' + Array.from({ length: n }, (_, i) => `&channel_name[${i}]=private-orders.${i}`).join('')
const webhookHeaders = { 'content-type': 'application/json', 'x-pusher-key': credentials.key }
/** A signed webhook delivery of n member_added events; bench/load.js makes each request a new delivery. */
const webhook = (n) => ({
  headers: webhookHeaders,
  webhook: { secret: credentials.secret, events: JSON.stringify(Array.from({ length: n }, (_, i) => ({ name: 'member_added', channel: 'presence-a', user_id: `u${i}` }))) },
  path: { plugin: '/pusher/events/presence', handwritten: '/webhook', constant: '/webhook', redis: '/pusher/events/presence', fair: '/webhook', fairEvents: '/webhook' }
})

/** name -> the request (path per contender) */
const CASES = {
  private: { body: 'socket_id=1234.5678&channel_name=private-orders.1', headers: form, path: { plugin: '/pusher/auth', handwritten: '/auth', constant: '/auth' } },
  presence: { body: 'socket_id=1234.5678&channel_name=presence-orders.1', headers: form, path: { plugin: '/pusher/auth', handwritten: '/auth', constant: '/auth-presence' } },
  'batch of 10': { body: batch(10), headers: form, channels: 10, path: { plugin: '/pusher/auth', handwritten: '/auth-batch', constant: '/auth-batch-10' } },
  'batch of 100': { body: batch(100), headers: form, channels: 100, path: { plugin: '/pusher/auth', handwritten: '/auth-batch', constant: '/auth-batch-100' } },
  'user auth': { body: 'socket_id=1234.5678', headers: form, path: { plugin: '/pusher/user-auth', handwritten: '/user-auth', constant: '/user-auth' } },
  'webhook 1 event': webhook(1),
  'webhook 10 events': webhook(10),
  'webhook 100 events': webhook(100)
}

module.exports = { credentials, CASES }
