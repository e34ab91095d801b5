// The demo, driven in headless Chromium: two people join, see each other, and chat.
// Runs when /usr/bin/chromium exists; with FASTIFY_PUSHER_REQUIRE_BROWSER=1 (CI) a missing browser fails.
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { existsSync, mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { chromium, type Page } from 'playwright-core'
import t, { type Test } from 'tap'
import { checkLogLines } from './helpers/app'

const CHROMIUM = '/usr/bin/chromium'
const required = process.env.FASTIFY_PUSHER_REQUIRE_BROWSER === '1'
const present = existsSync(CHROMIUM)
const skip = present ? false : `SKIPPED: no Chromium at ${CHROMIUM} (apt-get install -y chromium); set FASTIFY_PUSHER_REQUIRE_BROWSER=1 to make this a failure`

if (!present && required) {
  t.fail(`Chromium is required (FASTIFY_PUSHER_REQUIRE_BROWSER=1) but ${CHROMIUM} is missing`)
}

/** Starts `npm run demo`'s server on a free port; resolves with its URL. */
async function startDemo (t: Test): Promise<string> {
  const demo = spawn(process.execPath, [join(__dirname, '..', 'examples', 'demo.js')], {
    env: { ...process.env, DEMO_PORT: '0', LOG_LEVEL: 'debug', PUSHER_URL: undefined, PUSHER_APP_ID: undefined },
    stdio: ['ignore', 'pipe', 'pipe']
  })
  const exited = once(demo, 'exit')
  let output = ''
  t.teardown(async () => {
    if (demo.exitCode === null && demo.signalCode === null) demo.kill('SIGTERM')
    await exited
    // Every line the demo logged (debug and up) while two people used it: no secret, no signature.
    const lines = output.split('\n')
    if (lines.length < 10) throw new Error(`the demo logged too little to check:\n${output}`)
    checkLogLines(lines, ['app-secret'])
  })
  demo.stderr.on('data', (chunk) => { output += String(chunk) })
  return await new Promise((resolve, reject) => {
    const timer = setTimeout(() => { reject(new Error(`the demo did not start within 20 s:\n${output}`)) }, 20_000)
    demo.stdout.on('data', (chunk) => {
      output += String(chunk)
      const url = /open (http:\/\/127\.0\.0\.1:\d+\/)/.exec(output)?.[1]
      if (url !== undefined) { clearTimeout(timer); resolve(url) }
    })
    demo.on('exit', () => { clearTimeout(timer); reject(new Error(`the demo exited:\n${output}`)) })
  })
}

async function joinChat (page: Page, url: string, name: string): Promise<void> {
  await page.goto(url)
  await page.fill('#name', name)
  await page.click('#join button')
  await page.waitForSelector('#chat:not([hidden])', { timeout: 10_000 })
}

t.test('two people join the demo, see each other online, and chat', { skip, timeout: 90_000 }, async (t) => {
  const url = await startDemo(t)
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run']
  })
  t.teardown(async () => { await browser.close() })
  const ann = await (await browser.newContext()).newPage()
  const bob = await (await browser.newContext()).newPage()

  await joinChat(ann, url, 'Ann')
  await joinChat(bob, url, 'Bob')
  const online = (page: Page) => page.locator('#online li')
  await online(ann).filter({ hasText: 'Bob' }).waitFor({ timeout: 10_000 })
  await online(bob).filter({ hasText: 'Ann' }).waitFor({ timeout: 10_000 })
  t.same((await online(ann).allTextContents()).sort(), ['Ann', 'Bob'], 'Ann sees both')
  t.same((await online(bob).allTextContents()).sort(), ['Ann', 'Bob'], 'Bob sees both')
  t.equal(await ann.textContent('#count'), '2')

  await ann.fill('#text', 'Hello Bob, from Chromium')
  await ann.click('#send button')
  await bob.locator('#messages li', { hasText: 'Hello Bob, from Chromium' }).waitFor({ timeout: 10_000 })
  t.equal(await bob.textContent('#messages li'), 'Ann: Hello Bob, from Chromium', 'the message reached the other page')

  const artifacts = join(__dirname, 'artifacts')
  mkdirSync(artifacts, { recursive: true })

  // The demo's /metrics after one chat message (README, "Try it"): soketi's member_added webhooks may
  // come a moment later, so it is read until they are counted (at most 10 s).
  const expected = [
    'pusher_events_sent_total 1',
    'pusher_api_requests_total{operation="batch_events",status="200"} 1',
    'pusher_auth_decisions_total{route="/pusher/auth",type="presence",result="allowed"} 2',
    'pusher_webhook_events_total{event="member_added",outcome="handled"} 2'
  ]
  let metrics = ''
  for (let i = 0; i < 100; i++) {
    metrics = await (await fetch(new URL('/metrics', url))).text()
    if (expected.every((line) => metrics.split('\n').includes(line))) break
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  writeFileSync(join(artifacts, 'metrics.txt'), metrics)
  for (const line of expected) t.ok(metrics.split('\n').includes(line), `/metrics: ${line}`)
  t.match(metrics, /^process_cpu_user_seconds_total /m, 'beside the process\'s own metrics')

  await bob.setViewportSize({ width: 900, height: 420 })
  await bob.screenshot({ path: join(artifacts, 'demo.png') })
  t.ok(existsSync(join(artifacts, 'demo.png')), 'screenshot saved to test/artifacts/demo.png')
})
