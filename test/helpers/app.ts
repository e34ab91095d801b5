import { createHmac } from 'node:crypto'
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify'
import type { Test } from 'tap'
import fastifyPusher, { type FastifyPusherOptions } from '../../index'

/** The credentials of the signatures the issue gives (computed independently of the plugin). */
export const KEY = 'KEY'
export const SECRET = 'SUPERSECRET'
export const credentials = { appId: '4', key: KEY, secret: SECRET }
/** Stands for what a handler knows and a client must never be told (a handler's own error message). */
export const INTERNAL = 'INTERNAL-DETAIL'
/** 32 bytes, base64. */
export const MASTER_KEY = Buffer.alloc(32, 7).toString('base64')

/** What no log line may hold: the secrets, the master key, and any signature (64 hex digits: webhook signatures, auth tokens, auth_signature). */
export const FORBIDDEN_IN_LOGS: Array<[string, RegExp]> = [
  ['the app secret', /SUPERSECRET/],
  ['a webhook key secret', /NEWSECRET|ROTATED/],
  ['the master key', new RegExp(MASTER_KEY.replace(/[+/=]/g, '\\$&'))],
  ['a signature', /[0-9a-f]{64}/],
  ['an auth_signature', /auth_signature=(?!\[redacted\])/]
]

/**
 * Throws when a log line (parsed, or text) holds a secret or a signature: one of
 * `FORBIDDEN_IN_LOGS`, or one of `secrets` (e.g. a soketi app's own secret).
 */
export function checkLogLines (lines: unknown[], secrets: string[] = []): void {
  const forbidden: Array<[string, RegExp]> = [
    ...FORBIDDEN_IN_LOGS,
    ...secrets.map((secret): [string, RegExp] => ['a secret of this test', new RegExp(secret.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))])
  ]
  for (const [what, pattern] of forbidden) {
    const leaked = lines.find((line) => pattern.test(typeof line === 'string' ? line : JSON.stringify(line)))
    if (leaked !== undefined) throw new Error(`a log line holds ${what}: ${JSON.stringify(leaked).slice(0, 300)}`)
  }
}

/**
 * A fresh Fastify app, closed when the test ends. Every line it logs (debug and up, or
 * the level of the test's own logger, which gets every line too) is captured and
 * checked when the test ends: none may hold a secret or a signature (`FORBIDDEN_IN_LOGS`,
 * and `secrets`: e.g. a soketi app's own secret).
 */
export function checkedFastify (t: Test, server: FastifyServerOptions = {}, secrets: string[] = []): FastifyInstance {
  const given = server.logger as ReturnType<typeof captureLogs>['logger'] | undefined
  const logs = captureLogs()
  logs.logger.level = given?.level ?? 'debug'
  const stream = { write: (line: string) => { logs.logger.stream.write(line); given?.stream.write(line) } }
  const app = Fastify({ ...server, logger: { level: logs.logger.level, stream } })
  t.teardown(async () => {
    await app.close()
    checkLogLines(logs.lines, secrets)
  })
  return app
}

/** A fresh app with the plugin registered: a `checkedFastify` app (its logs checked when the test ends). */
export async function buildApp (t: Test, options: FastifyPusherOptions = {}, server: FastifyServerOptions = {}): Promise<FastifyInstance> {
  const app = checkedFastify(t, server)
  await app.register(fastifyPusher, { ...credentials, ...options })
  return app
}

/** POST a form the way pusher-js does. */
export async function postForm (app: FastifyInstance, url: string, payload: string) {
  return await app.inject({ method: 'POST', url, payload, headers: { 'content-type': 'application/x-www-form-urlencoded' } })
}

/** HMAC-SHA256 in hex: what Pusher signs with, computed here without the plugin or the client. */
export const hmac = (data: string | Buffer, secret = SECRET): string =>
  createHmac('sha256', secret).update(data).digest('hex')

/** A webhook POST signed as Pusher signs it. */
export async function postWebhook (app: FastifyInstance, path: string, body: string, headers: Record<string, string> = {}) {
  return await app.inject({
    method: 'POST',
    url: `/pusher/events/${path}`,
    payload: body,
    headers: { 'content-type': 'application/json', 'x-pusher-key': KEY, 'x-pusher-signature': hmac(body), ...headers }
  })
}

/** Runs `fn` with environment variables set, restoring them after. */
export async function withEnv<T> (vars: Record<string, string>, fn: () => Promise<T>): Promise<T> {
  const saved = Object.fromEntries(Object.keys(vars).map((name) => [name, process.env[name]]))
  Object.assign(process.env, vars)
  try {
    return await fn()
  } finally {
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name]
      else process.env[name] = value
    }
  }
}

/** A logger stream that keeps every line, to check what was logged (and what was not). */
export function captureLogs (): { logger: { level: string, stream: { write: (line: string) => void } }, lines: Array<Record<string, any>>, text: () => string } {
  const lines: Array<Record<string, any>> = []
  return {
    logger: { level: 'info', stream: { write: (line: string) => { lines.push(JSON.parse(line)) } } },
    lines,
    text: () => lines.map((line) => JSON.stringify(line)).join('\n')
  }
}

/** Date.now() returns what `now.value` says while the test runs. */
export function fakeNow (t: Test, start: number): { value: number } {
  const now = { value: start }
  const real = Date.now
  Date.now = () => now.value
  t.teardown(() => { Date.now = real })
  return now
}
