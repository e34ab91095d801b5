// Every code sample of the README is a file under examples/readme/ (named by the
// `<!-- sample: FILE -->` line above it, holding the sample verbatim), and each file is
// run by node in its module system, or type-checked (TypeScript, and the browser sample).
// The files run against the built package (npm test builds first).
import { execFile, spawn } from 'node:child_process'
import { once } from 'node:events'
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { promisify } from 'node:util'
import t from 'tap'
import { buildApp } from './helpers/app'
import { json, rawApi } from './helpers/fake-api'
import { startRedis } from './helpers/redis'

const root = join(__dirname, '..')
const dir = join(root, 'examples', 'readme')
const readme = readFileSync(join(root, 'README.md'), 'utf8')
const run = promisify(execFile)

/** Every fenced block of the README: its language, text, and the sample file named above it. */
const blocks = [...readme.matchAll(/(?:<!-- sample: (\S+) -->\n)?```(\w*)\n([\s\S]*?)```\n/g)]
  .map(([, file, lang, text]) => ({ file, lang, text, line: readme.slice(0, readme.indexOf(text)).split('\n').length }))

/** Run with node and must exit 0 (they assert what the sample does). */
const RUNS = ['import-styles.cjs', 'import-styles.mjs', 'user-auth.mjs', 'channel-rules.mjs', 'webhook-handlers.mjs', 'dedupe-options.mjs', 'notifications.mjs',
  'webhook-keys.mjs', 'route-options.mjs', 'laravel-echo.mjs', 'x-socket-id.mjs', 'request-pusher.mjs',
  'observability-channels.mjs', 'opentelemetry.mjs', 'prometheus.mjs', 'cache-channels.mjs', 'presence.mjs', 'several-apps.mjs', 'tenants.mjs']
/** Type-checked by tsc with their project. */
const TYPE_CHECKED: Record<string, string[]> = {
  'tsconfig.json': ['quick-start.mjs', 'quick-start.cjs', 'import-styles.mjs', 'import-styles.cjs', 'typescript.mts', 'dedupe-store.ts'],
  'tsconfig.typed-events.json': ['typed-events.mts'],
  'tsconfig.browser.json': ['browser.mjs']
}
/** Run in their own way below. */
const RUN_OTHERWISE = ['quick-start.mjs', 'quick-start.cjs', 'redis-store.mjs', 'durable-sending.mjs', 'worker.mjs', 'testing.test.mjs']
const HELPERS = ['assumed.mjs', 'assumed.d.ts', ...Object.keys(TYPE_CHECKED)]

t.test('every js and ts block is a sample file holding it verbatim; every sample file is in the README', async (t) => {
  const code = blocks.filter((block) => block.lang === 'js' || block.lang === 'ts')
  t.ok(code.length >= 19, `${code.length} samples`)
  for (const block of code) {
    t.ok(block.file?.startsWith('examples/readme/'), `README line ${block.line}: a sample file is named above the block`)
    if (block.file === undefined) continue
    t.ok(readFileSync(join(root, block.file), 'utf8').includes(block.text), `${block.file} holds the README sample of line ${block.line}`)
  }
  const named = new Set(code.map((block) => block.file?.replace('examples/readme/', '')))
  for (const file of readdirSync(dir)) {
    if (HELPERS.includes(file)) continue
    t.ok(named.has(file), `${file} is a README sample`)
    const checked = RUNS.includes(file) || RUN_OTHERWISE.includes(file) || Object.values(TYPE_CHECKED).flat().includes(file)
    t.ok(checked, `${file} is run or type-checked`)
  }
})

t.test('the samples are ES modules, or say that they are CommonJS', async (t) => {
  for (const block of blocks.filter((block) => block.lang === 'js')) {
    const commonJs = /\brequire\(/.test(block.text)
    t.equal(commonJs, block.file?.endsWith('.cjs'), `README line ${block.line}: ${commonJs ? 'require() only in a .cjs sample' : 'an ES module'}`)
  }
})

t.test('the JSON blocks are JSON', async (t) => {
  for (const block of blocks.filter((block) => block.lang === 'json')) {
    t.doesNotThrow(() => JSON.parse(block.text), `README line ${block.line}`)
  }
})

t.test('the TypeScript samples and the browser sample type-check', async (t) => {
  const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc')
  for (const project of Object.keys(TYPE_CHECKED)) {
    const { stdout } = await run(process.execPath, [tsc, '-p', join(dir, project)], { timeout: 60_000 }).catch((error) => error)
    t.equal(stdout, '', `tsc -p examples/readme/${project}`)
  }
})

t.test('the samples run', async (t) => {
  for (const file of RUNS) {
    const result = await run(process.execPath, [join(dir, file)], { cwd: root, timeout: 30_000 }).then(() => 'exit 0', (error) => `${error.code}: ${error.stderr}`)
    t.equal(result, 'exit 0', file)
  }
})

for (const file of ['redis-store.mjs', 'durable-sending.mjs']) {
  t.test(`the ${file} sample runs against a redis-server of its own`, async (t) => {
    const redis = await startRedis(t)
    const result = await run(process.execPath, [join(dir, file)], { cwd: root, timeout: 30_000, env: { ...process.env, REDIS_URL: `redis://127.0.0.1:${redis.port}` } })
      .then(() => 'exit 0', (error) => `${error.code}: ${error.stderr}`)
    t.equal(result, 'exit 0')
  })
}

t.test('the worker sample, a process of its own: it sends what an app enqueued, and stops on SIGTERM', async (t) => {
  const redis = await startRedis(t)
  const api = await rawApi(t, json(200, {}))
  const app = await buildApp(t, { appId: '4', key: 'k', secret: 's', host: '127.0.0.1', port: api.port, useTLS: false, queue: { connection: redis.client(), worker: false } })
  await app.pusher.queue.triggerBatch([{ channel: 'a', name: 'one', data: 1 }, { channel: 'b', name: 'two', data: 2 }])
  await app.pusher.queue.sendToUser('ann', 'three', 3)
  const env = { ...process.env, REDIS_URL: `redis://127.0.0.1:${redis.port}`, PUSHER_URL: `http://k:s@127.0.0.1:${api.port}/apps/4` }
  const child = spawn(process.execPath, [join(dir, 'worker.mjs')], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] })
  let output = ''
  child.stdout.on('data', (chunk) => { output += String(chunk) })
  child.stderr.on('data', (chunk) => { output += String(chunk) })
  const exited = once(child, 'exit')
  t.teardown(() => { if (child.exitCode === null) child.kill('SIGKILL') })
  for (let i = 0; i < 500 && api.requests.length < 2; i++) await new Promise((resolve) => setTimeout(resolve, 20))
  t.equal(api.requests.length, 2, `two API calls (${output})`)
  t.match(api.requests.join(), /"one".*"two"|"two".*"one"/)
  t.match(api.requests.join(), /"three"/)
  child.kill('SIGTERM')
  const [code] = await exited
  t.equal(code, 0, 'it closed and ended by itself')
  t.equal((await app.pusher.queue.counts()).waiting, 0)
})

t.test('the testing sample passes under node --test', async (t) => {
  // The reporter is named: node --test prints TAP on Node 20 and its spec reporter on Node 22 and later.
  const result = await run(process.execPath, ['--test', '--test-reporter=tap', join(dir, 'testing.test.mjs')], { cwd: root, timeout: 30_000 })
    .then(({ stdout }) => stdout, (error) => `${error.code}: ${error.stdout}`)
  t.match(result, /# pass 1\n/)
  t.match(result, /# fail 0\n/)
})

for (const file of ['quick-start.mjs', 'quick-start.cjs']) {
  t.test(`the quick start runs as written (${file}): it listens and answers the plugin's routes`, async (t) => {
    const child = spawn(process.execPath, [join(dir, file)], { cwd: root, env: { ...process.env, PORT: '0' }, stdio: ['ignore', 'pipe', 'pipe'] })
    const exited = once(child, 'exit')
    t.teardown(async () => {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM')
        await exited
      }
    })
    let output = ''
    const listening = new Promise<string>((resolve, reject) => {
      child.stdout.on('data', (chunk) => {
        output += String(chunk)
        const url = /Server listening at (http:\/\/127\.0\.0\.1:\d+)/.exec(output)?.[1]
        if (url !== undefined) resolve(url)
      })
      child.stderr.on('data', (chunk) => { output += String(chunk) })
      child.once('exit', () => { reject(new Error(`exited before listening: ${output}`)) })
      setTimeout(() => { reject(new Error(`not listening after 20 s: ${output}`)) }, 20_000).unref()
    })
    const url = await listening
    const form = { 'content-type': 'application/x-www-form-urlencoded' }
    const refused = await fetch(`${url}/pusher/auth`, { method: 'POST', headers: form, body: 'socket_id=1.2&channel_name=private-somewhere' })
    t.equal(refused.status, 403, 'no user signed in: the auth handler refuses')
    t.equal(((await refused.json()) as { code: string }).code, 'FST_PUSHER_FORBIDDEN')
    const badSocket = await fetch(`${url}/pusher/auth`, { method: 'POST', headers: form, body: 'socket_id=x&channel_name=private-a' })
    t.equal(badSocket.status, 400)
  })
}
