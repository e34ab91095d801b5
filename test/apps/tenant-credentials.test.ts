// What tenants.credentials() answers, checked as the options are: a problem names the field, never its value.
import t from 'tap'
import { tenantClientConfig } from '../../lib/config/options'

const MASTER_KEY = Buffer.alloc(32, 1).toString('base64')

t.test('valid credentials become the client\'s configuration', async (t) => {
  t.same(tenantClientConfig({ appId: 7, key: 'k', secret: 's', cluster: 'eu' }, 5000), { appId: '7', key: 'k', secret: 's', useTLS: true, timeout: 5000, cluster: 'eu' })
  t.same(tenantClientConfig({ appId: 'a', key: 'k', secret: 's', host: 'h', port: '6001', useTLS: false, path: '/ws-path/', encryptionMasterKeyBase64: MASTER_KEY }, 0),
    { appId: 'a', key: 'k', secret: 's', useTLS: false, timeout: 0, host: 'h', port: 6001, path: '/ws-path', encryptionMasterKeyBase64: MASTER_KEY })
})

t.test('invalid credentials: FST_PUSHER_INVALID_OPTION naming the field, never the value', async (t) => {
  const base = { appId: '1', key: 'k', secret: 'SUPERSECRET', host: 'h' }
  const bad: Array<[unknown, string]> = [
    ['SUPERSECRET', 'Invalid option "tenants.credentials()": must resolve to an object or undefined, got a string'],
    [{ ...base, appId: undefined }, 'Invalid option "tenants.credentials().appId": is missing'],
    [{ ...base, key: '' }, 'Invalid option "tenants.credentials().key": must be a non-empty string'],
    [{ ...base, secret: 42 }, 'Invalid option "tenants.credentials().secret": must be a non-empty string'],
    [{ ...base, host: undefined }, 'Invalid option "tenants.credentials()": needs a cluster or a host'],
    [{ ...base, cluster: 5 }, 'Invalid option "tenants.credentials().cluster": must be a non-empty string'],
    [{ ...base, port: 'SUPERSECRET' }, 'Invalid option "tenants.credentials().port": must be a port number from 1 to 65535, got a string'],
    [{ ...base, useTLS: 'SUPERSECRET' }, 'Invalid option "tenants.credentials().useTLS": must be true or false (in PUSHER_USE_TLS: true, 1, false or 0), got a string'],
    [{ ...base, path: 'SUPERSECRET?' }, 'Invalid option "tenants.credentials().path": must be a URL path such as /ws-path: segments after "/", without ?, # or spaces, got a string'],
    [{ ...base, encryptionMasterKeyBase64: 'SUPERSECRET' }, 'Invalid option "tenants.credentials().encryptionMasterKeyBase64": must be the base64 encoding of exactly 32 bytes (e.g. `openssl rand -base64 32`)']
  ]
  for (const [credentials, message] of bad) {
    t.throws(() => tenantClientConfig(credentials, 0), { code: 'FST_PUSHER_INVALID_OPTION', message }, message)
  }
})
