// A loopback API for every tenant of a test, and a directory of three tenants.
import type { Test } from 'tap'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import { once } from 'node:events'
import type { AddressInfo, Socket } from 'node:net'
import type { TenantCredentials, TenantLookup } from '../../index'

export interface Seen { appId: string, authKey: string | null, path: string, body: any }

/**
 * One loopback API for every tenant: it records each call (its app id from the path) and each
 * connection's close (by the app id of its first call); `answer` gives a call's status and delay.
 */
export async function tenantApi (t: Test, answer: (appId: string, body: any) => { status?: number, delayMs?: number } = () => ({})) {
  const calls: Seen[] = []
  const closed: string[] = []
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    let text = ''
    req.on('data', (chunk) => { text += chunk })
    req.on('end', () => {
      const url = new URL(req.url!, 'http://x')
      const appId = /^\/apps\/([^/]+)\//.exec(url.pathname)?.[1] ?? ''
      const socket = req.socket as Socket & { appId?: string }
      if (socket.appId === undefined) {
        socket.appId = appId
        socket.once('close', () => { closed.push(appId) })
      }
      const body = text === '' ? undefined : JSON.parse(text)
      calls.push({ appId, authKey: url.searchParams.get('auth_key'), path: url.pathname, body })
      const { status = 200, delayMs = 0 } = answer(appId, body)
      // Unref'd: an answer held back never keeps a test's process alive once the server is closed.
      setTimeout(() => res.writeHead(status, { 'content-type': 'application/json' }).end(status === 200 ? '{}' : '{"error":"refused"}'), delayMs).unref()
    })
  })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  t.teardown(() => { server.closeAllConnections(); server.close() })
  return { calls, closed, port: (server.address() as AddressInfo).port }
}

export const secretOf = (appId: string): string => `SUPERSECRET-${appId}`

/** Three tenants (app ids 1, 2, 3; keys key-1, ...) on the API at `port`, each lookup counted. */
export function directory (port: number) {
  const lookups: TenantLookup[] = []
  const apps: Record<string, TenantCredentials> = Object.fromEntries(['1', '2', '3'].map((id) => [id, { appId: id, key: `key-${id}`, secret: secretOf(id), host: '127.0.0.1', port, useTLS: false }]))
  const credentials = (lookup: TenantLookup): TenantCredentials | undefined => {
    lookups.push(lookup)
    return Object.values(apps).find((app) => lookup.appId !== undefined ? app.appId === lookup.appId : app.key === lookup.key)
  }
  return { apps, lookups, credentials }
}
