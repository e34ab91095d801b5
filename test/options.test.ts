import { inspect } from 'node:util'
import { Agent } from 'node:http'
import Pusher from 'pusher'
import t, { type Test } from 'tap'
import fastifyPusher, { type FastifyPusherOptions } from '../index'
import { buildApp, captureLogs, checkedFastify, credentials, MASTER_KEY, withEnv } from './helpers/app'

/** The official client's own resolved configuration. */
const configOf = (app: { pusher: { client: Pusher } }): Record<string, any> => (app.pusher.client as any).config

const ENV_VARS = ['PUSHER_APP_ID', 'PUSHER_KEY', 'PUSHER_SECRET', 'PUSHER_CLUSTER', 'PUSHER_HOST', 'PUSHER_PORT', 'PUSHER_USE_TLS', 'PUSHER_TIMEOUT', 'PUSHER_ENCRYPTION_MASTER_KEY_BASE64', 'PUSHER_URL', 'PUSHER_PATH', 'PUSHER_AUTH']
// A developer's own PUSHER_* variables must not leak into these tests.
for (const name of ENV_VARS) delete process.env[name]

/** The secret the client signs with (a KeyObject), as text. */
const secretOf = (config: any): string => config.token.secret.export().toString('utf8')

async function registerFails (t: Test, options: FastifyPusherOptions, code: string, message: RegExp | string): Promise<void> {
  const app = checkedFastify(t)
  t.teardown(async () => { await app.close() })
  await t.rejects(async () => { await app.register(fastifyPusher, options).ready() }, { code, message }, JSON.stringify(options))
}

t.test('client configuration: defaults', async (t) => {
  const app = await buildApp(t)
  const config = configOf(app)
  t.equal(config.appId, '4')
  t.equal(config.token.key, 'KEY')
  t.equal(secretOf(config), 'SUPERSECRET')
  t.equal(config.token.secret.type, 'secret', 'held as a KeyObject')
  t.notMatch(inspect(app.pusher.client, { depth: 10 }), 'SUPERSECRET', 'inspecting the client does not print the secret')
  t.equal(config.host, 'api.pusherapp.com')
  t.equal(config.scheme, 'https', 'TLS by default')
  t.equal(config.port, undefined)
  t.equal(config.timeout, 5000, 'a timeout by default: the client alone has none')
  t.equal(config.encryptionMasterKey, undefined)
  t.equal(app.pusher.key, 'KEY')
  t.type(app.pusher.client, Pusher)
})

t.test('client configuration: cluster, host, port, TLS, timeout, master key, agent', async (t) => {
  const agent = new Agent({ keepAlive: true })
  t.teardown(() => { agent.destroy() })
  const clustered = await buildApp(t, { cluster: 'eu' })
  t.equal(configOf(clustered).host, 'api-eu.pusher.com')
  const app = await buildApp(t, { cluster: 'eu', host: '127.0.0.1', port: '6001', useTLS: false, timeout: 250, encryptionMasterKeyBase64: MASTER_KEY, agent })
  const config = configOf(app)
  t.equal(config.host, '127.0.0.1', 'host wins over cluster')
  t.equal(config.port, 6001, 'a numeric string port becomes a number')
  t.equal(config.scheme, 'http')
  t.equal(config.timeout, 250)
  t.same(config.encryptionMasterKey, Buffer.from(MASTER_KEY, 'base64'))
  t.equal(config.agent, agent)
  t.equal(configOf(await buildApp(t, { port: 443, timeout: 0, appId: 12 })).timeout, 0, '0 turns the timeout off')
})

t.test('every option falls back to its PUSHER_* environment variable', async (t) => {
  await withEnv({
    PUSHER_APP_ID: 'env-app',
    PUSHER_KEY: 'env-key',
    PUSHER_SECRET: 'env-secret',
    PUSHER_CLUSTER: 'ap1',
    PUSHER_PORT: '8443',
    PUSHER_USE_TLS: '0',
    PUSHER_TIMEOUT: '1234',
    PUSHER_ENCRYPTION_MASTER_KEY_BASE64: MASTER_KEY,
    PUSHER_AUTH: '/sign'
  }, async () => {
    const app = checkedFastify(t)
    t.teardown(async () => { await app.close() })
    await app.register(fastifyPusher)
    const config = configOf(app)
    t.same([config.appId, config.token.key, secretOf(config), config.host, config.port, config.scheme, config.timeout],
      ['env-app', 'env-key', 'env-secret', 'api-ap1.pusher.com', 8443, 'http', 1234])
    t.ok(config.encryptionMasterKey)
    app.pusher.auth(() => true)
    t.equal((await app.inject({ method: 'POST', url: '/pusher/sign', payload: { socket_id: '1.2', channel_name: 'private-a' } })).statusCode, 200)
  })
  await withEnv({ PUSHER_HOST: 'soketi.local', PUSHER_USE_TLS: 'true', PUSHER_KEY: 'env-key' }, async () => {
    const app = await buildApp(t, { key: 'option-key' })
    t.equal(configOf(app).host, 'soketi.local')
    t.equal(configOf(app).scheme, 'https')
    t.equal(app.pusher.key, 'option-key', 'explicit options win over the environment')
  })
  await withEnv({ PUSHER_USE_TLS: '1', PUSHER_HOST: '' }, async () => {
    t.equal(configOf(await buildApp(t)).scheme, 'https')
    t.equal(configOf(await buildApp(t)).host, 'api.pusherapp.com', 'an empty variable counts as unset')
  })
  await withEnv({ PUSHER_USE_TLS: 'false' }, async () => {
    t.equal(configOf(await buildApp(t)).scheme, 'http')
  })
})

t.test('url / PUSHER_URL supplies the app; options and variables override its parts', async (t) => {
  const fromUrl = checkedFastify(t)
  t.teardown(async () => { await fromUrl.close() })
  await fromUrl.register(fastifyPusher, { url: 'http://url-key:url%2Fsecret@127.0.0.1:6001/apps/url-app' })
  t.same(
    [configOf(fromUrl).appId, configOf(fromUrl).token.key, secretOf(configOf(fromUrl)), configOf(fromUrl).host, configOf(fromUrl).port, configOf(fromUrl).scheme],
    ['url-app', 'url-key', 'url/secret', '127.0.0.1', 6001, 'http']
  )
  await withEnv({ PUSHER_URL: 'https://env-key:env-secret@api.example.com/apps/77/', PUSHER_SECRET: 'var-secret' }, async () => {
    const app = checkedFastify(t)
    t.teardown(async () => { await app.close() })
    await app.register(fastifyPusher, { port: 8443 })
    const config = configOf(app)
    t.same([config.appId, config.token.key, secretOf(config), config.host, config.port, config.scheme],
      ['77', 'env-key', 'var-secret', 'api.example.com', 8443, 'https'])
    const overridden = await buildApp(t, { useTLS: false })
    t.equal(configOf(overridden).scheme, 'http')
    t.equal(configOf(overridden).token.key, 'KEY')
  })
})

t.test('a ready client is used as is, with no credentials', async (t) => {
  const client = new Pusher({ appId: '9', key: 'client-key', secret: 's', cluster: 'eu' })
  const app = checkedFastify(t)
  t.teardown(async () => { await app.close() })
  await app.register(fastifyPusher, { client })
  t.equal(app.pusher.client, client)
  t.equal(app.pusher.key, 'client-key')
  await registerFails(t, { client, key: 'k' }, 'FST_PUSHER_INVALID_OPTION', /client.*key/)
  await registerFails(t, { client: {} as any }, 'FST_PUSHER_INVALID_OPTION', /"client"/)
  await registerFails(t, { client: { authorizeChannel () {}, config: { token: { key: 'k' } } } as any }, 'FST_PUSHER_INVALID_OPTION', /"client"/)
})

t.test('bad options fail register with an error that names the option', async (t) => {
  const cases: Array<[FastifyPusherOptions, string, RegExp]> = [
    [{ key: 'k', secret: 's' }, 'FST_PUSHER_MISSING_OPTION', /"appId".*PUSHER_APP_ID/],
    [{ appId: '1', secret: 's' }, 'FST_PUSHER_MISSING_OPTION', /"key".*PUSHER_KEY/],
    [{ appId: '1', key: 'k' }, 'FST_PUSHER_MISSING_OPTION', /"secret".*PUSHER_SECRET/],
    [{ ...credentials, secret: '' }, 'FST_PUSHER_INVALID_OPTION', /"secret"/],
    [{ ...credentials, appId: 1.5 }, 'FST_PUSHER_INVALID_OPTION', /"appId"/],
    [{ ...credentials, cluster: 5 as any }, 'FST_PUSHER_INVALID_OPTION', /"cluster"/],
    [{ ...credentials, port: 'eighty' }, 'FST_PUSHER_INVALID_OPTION', /"port": must be a port number from 1 to 65535, got a string$/],
    [{ ...credentials, port: 70000 }, 'FST_PUSHER_INVALID_OPTION', /"port"/],
    [{ ...credentials, port: 80.5 }, 'FST_PUSHER_INVALID_OPTION', /"port"/],
    [{ ...credentials, useTLS: 'yes' as any }, 'FST_PUSHER_INVALID_OPTION', /"useTLS"/],
    [{ ...credentials, timeout: -1 }, 'FST_PUSHER_INVALID_OPTION', /"timeout"/],
    [{ ...credentials, timeout: '5s' as any }, 'FST_PUSHER_INVALID_OPTION', /"timeout"/],
    [{ ...credentials, encryptionMasterKeyBase64: Buffer.alloc(16).toString('base64') }, 'FST_PUSHER_INVALID_OPTION', /"encryptionMasterKeyBase64".*32 bytes/],
    [{ ...credentials, encryptionMasterKeyBase64: 'not base64!' }, 'FST_PUSHER_INVALID_OPTION', /"encryptionMasterKeyBase64"/],
    [{ ...credentials, encryptionMasterKeyBase64: 'abc' }, 'FST_PUSHER_INVALID_OPTION', /"encryptionMasterKeyBase64"/],
    [{ ...credentials, encryptionMasterKeyBase64: 32 as any }, 'FST_PUSHER_INVALID_OPTION', /"encryptionMasterKeyBase64"/],
    [{ ...credentials, url: 'not a url' }, 'FST_PUSHER_INVALID_OPTION', /"url"/],
    [{ ...credentials, url: 'ftp://k:s@host/apps/1' }, 'FST_PUSHER_INVALID_OPTION', /"url"/],
    [{ ...credentials, url: 'https://k:s@host/' }, 'FST_PUSHER_INVALID_OPTION', /"url"/],
    [{ ...credentials, url: 42 as any }, 'FST_PUSHER_INVALID_OPTION', /"url"/],
    [{ ...credentials, agent: 'keep-alive' as any }, 'FST_PUSHER_INVALID_OPTION', /"agent"/],
    [{ ...credentials, serialize: 'json' as any }, 'FST_PUSHER_INVALID_OPTION', /"serialize"/],
    [{ ...credentials, prefix: 'pusher' }, 'FST_PUSHER_INVALID_OPTION', /"prefix"/],
    [{ ...credentials, authPath: 'auth' }, 'FST_PUSHER_INVALID_OPTION', /"authPath"/],
    [{ ...credentials, authPath: '/' }, 'FST_PUSHER_INVALID_OPTION', /"authPath"/]
  ]
  for (const [options, code, message] of cases) await registerFails(t, options, code, message)
  await withEnv({ PUSHER_USE_TLS: 'yes' }, async () => {
    await registerFails(t, credentials, 'FST_PUSHER_INVALID_OPTION', /"useTLS".*PUSHER_USE_TLS/)
  })
  await withEnv({ PUSHER_PORT: '80a' }, async () => {
    await registerFails(t, credentials, 'FST_PUSHER_INVALID_OPTION', /"port"/)
  })
  await withEnv({ PUSHER_URL: 'https://k:s@host/apps/1' }, async () => {
    const url = checkedFastify(t)
    t.teardown(async () => { await url.close() })
    await t.resolves(async () => { await url.register(fastifyPusher, { url: undefined }).ready() }, 'undefined options fall back')
  })
})

t.test('the master key never appears in an error', async (t) => {
  const secretKey = Buffer.alloc(31, 9).toString('base64')
  const app = checkedFastify(t)
  t.teardown(async () => { await app.close() })
  const error = await Promise.resolve(app.register(fastifyPusher, { ...credentials, encryptionMasterKeyBase64: secretKey }).ready()).catch((err: Error) => err)
  t.notMatch((error as Error).message, secretKey)
})

t.test('registering twice on one instance is a clear error', async (t) => {
  const app = checkedFastify(t)
  t.teardown(async () => { await app.close() })
  app.register(fastifyPusher, credentials)
  app.register(fastifyPusher, credentials)
  await t.rejects(async () => { await app.ready() }, { code: 'FST_PUSHER_ALREADY_REGISTERED' })
})

t.test('registering in two sibling scopes is fine: each has its own client', async (t) => {
  const app = checkedFastify(t)
  t.teardown(async () => { await app.close() })
  await app.register(async (scope) => { await scope.register(fastifyPusher, { ...credentials, prefix: '/a' }) })
  await app.register(async (scope) => { await scope.register(fastifyPusher, { ...credentials, key: 'KEY2', prefix: '/b' }) })
  await t.resolves(async () => { await app.ready() })
})

t.test('register-time errors name the option and say the type, never the value', async (t) => {
  const secret = 'SUPERSECRETVALUE'
  const cases: Array<[Record<string, unknown>, RegExp]> = [
    [{ url: `http://k:${secret}%E0@h/apps/1` }, /^Invalid option "url": must look like https:\/\/KEY:SECRET@HOST\[:PORT\]\[\/PATH\]\/apps\/APP_ID, with every %-escape valid$/],
    [{ port: secret }, /^Invalid option "port": must be a port number from 1 to 65535, got a string$/],
    [{ port: '99999' }, /got a number out of range$/],
    [{ port: 0 }, /got a number out of range$/],
    [{ port: 1.5 }, /got a number out of range$/],
    [{ useTLS: secret }, /^Invalid option "useTLS": must be true or false \(in PUSHER_USE_TLS: true, 1, false or 0\), got a string$/],
    [{ timeout: secret }, /^Invalid option "timeout": must be a whole number of milliseconds \(0 for none\), got a string$/],
    [{ timeout: -1 }, /got a number$/]
  ]
  for (const [options, message] of cases) {
    const error = await buildApp(t, options).then(() => undefined, (error: Error) => error)
    t.match(error, { code: 'FST_PUSHER_INVALID_OPTION', message }, JSON.stringify(options))
    t.notMatch(error?.message, secret)
  }
})

t.test('unknown options are logged as warnings at registration, with the name meant, never their values', async (t) => {
  const logs = captureLogs()
  logs.logger.level = 'warn'
  const masterKey = 'k'.repeat(32)
  await buildApp(t, { encryptionMasterKey: masterKey, usetls: true, authEndpoint: '/auth', madeUp: 'VALUE', prefix: '/p', logLevel: 'info', logSerializers: {} } as any, { logger: logs.logger })
  const warnings = logs.lines.filter((line) => line.level === 40).map(({ option, meant, msg }) => ({ option, meant, msg }))
  t.same(warnings, [
    { option: 'encryptionMasterKey', meant: 'encryptionMasterKeyBase64', msg: 'fastify-pusher: unknown option "encryptionMasterKey" is ignored; did you mean "encryptionMasterKeyBase64"?' },
    { option: 'usetls', meant: 'useTLS', msg: 'fastify-pusher: unknown option "usetls" is ignored; did you mean "useTLS"?' },
    { option: 'authEndpoint', meant: 'authPath', msg: 'fastify-pusher: unknown option "authEndpoint" is ignored; did you mean "authPath"?' },
    { option: 'madeUp', meant: undefined, msg: 'fastify-pusher: unknown option "madeUp" is ignored' }
  ], 'prefix, logLevel and logSerializers are Fastify\'s own register options')
  t.notMatch(logs.text(), masterKey)
  t.notMatch(logs.text(), 'VALUE')
})
