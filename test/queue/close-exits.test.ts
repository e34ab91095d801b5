// Close must always end, and so must the process: an app whose worker is waiting on a Redis that went
// down closes past closeTimeout, and then nothing of the plugin (BullMQ's timers, a connection trying
// to reconnect) keeps the process alive.
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { join } from 'node:path'
import t from 'tap'
import { startRedis } from '../helpers/redis'

t.test('Redis down: close() ends, and the process exits by itself', async (t) => {
  const redis = await startRedis(t)
  const child = spawn(process.execPath, [join(__dirname, '..', 'fixtures', 'queue-close.mjs')], {
    env: { ...process.env, REDIS_URL: `redis://127.0.0.1:${redis.port}` },
    stdio: ['ignore', 'pipe', 'inherit']
  })
  let output = ''
  child.stdout.on('data', (chunk) => { output += String(chunk) })
  const exited = once(child, 'exit')
  t.teardown(() => { if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL') })
  for (let i = 0; i < 200 && !output.includes('ready'); i++) await new Promise((resolve) => setTimeout(resolve, 50))
  t.match(output, /ready/, 'the worker started')
  await redis.stop()
  child.kill('SIGTERM')
  // Bounded: killed after 30 s at most, which the assertions below then report.
  const killer = setTimeout(() => { child.kill('SIGKILL') }, 30_000)
  const [code, signal] = await exited
  clearTimeout(killer)
  t.match(output, /closed/, 'close() ended')
  t.same({ code, signal }, { code: 0, signal: null }, 'the process exited by itself')
})
