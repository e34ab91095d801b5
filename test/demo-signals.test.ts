// `npm run demo` stops the demo server and soketi when it gets SIGINT or SIGTERM, whoever
// receives it: npm itself (kill of the npm process), or the demo's node process.
// Runs `npm run demo:serve`, what `npm run demo` runs once it has built (the build is left
// out here: it would empty dist/ under the other tests).
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { join } from 'node:path'
import t, { type Test } from 'tap'
import { freePort } from './helpers/soketi'

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

async function startDemo (t: Test) {
  const port = await freePort()
  const npm = spawn('npm', ['run', '--silent', 'demo:serve'], { cwd: join(__dirname, '..'), env: { ...process.env, DEMO_PORT: String(port), LOG_LEVEL: 'warn' }, stdio: ['ignore', 'pipe', 'pipe'], detached: true })
  // Whatever happens, nothing is left: the whole group (npm, and the demo if it outlived npm) is ended;
  // soketi's watchdog ends soketi once the demo is gone.
  t.teardown(() => { try { process.kill(-(npm.pid as number), 'SIGKILL') } catch {} })
  let output = ''
  npm.stdout.on('data', (chunk) => { output += String(chunk) })
  npm.stderr.on('data', (chunk) => { output += String(chunk) })
  for (let i = 0; i < 300 && !/open http:\/\/127\.0\.0\.1:\d+\//.test(output); i++) await new Promise((resolve) => setTimeout(resolve, 100))
  const soketiPort = Number(/soketi on 127\.0\.0\.1:(\d+)/.exec(output)?.[1])
  t.ok(soketiPort > 0, `the demo started (${output.trim().slice(0, 200)})`)
  return { npm, port, soketiPort }
}

const answers = async (port: number): Promise<boolean> => await fetch(`http://127.0.0.1:${port}/`).then(() => true, () => false)

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  t.test(`${signal} to the npm process stops the demo server and soketi`, async (t) => {
    const { npm, port, soketiPort } = await startDemo(t)
    t.ok(await answers(port), 'the demo answers')
    t.ok(await answers(soketiPort), 'soketi answers')
    process.kill(npm.pid as number, signal)
    await once(npm, 'exit')
    for (let i = 0; i < 100 && (await answers(port) || await answers(soketiPort)); i++) await new Promise((resolve) => setTimeout(resolve, 100))
    t.notOk(await answers(port), 'the demo server is gone')
    t.notOk(await answers(soketiPort), 'soketi is gone')
    t.notOk(alive(npm.pid as number))
  })
}
