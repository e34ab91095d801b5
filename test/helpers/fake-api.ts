import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import { once } from 'node:events'
import type { AddressInfo } from 'node:net'
import type { Test } from 'tap'
import { MASTER_KEY } from './app'

export interface ApiCallSeen { method: string, path: string, query: URLSearchParams, body: any }
export type FakeAnswer = (call: ApiCallSeen) => { status?: number, body?: unknown, delayMs?: number }

/** A loopback stand-in for Pusher's HTTP API: records each call (path under /apps/4) and answers with `answer`. */
export async function fakeApi (t: Test, answer: FakeAnswer = () => ({})) {
  const calls: ApiCallSeen[] = []
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    let text = ''
    req.on('data', (chunk) => { text += String(chunk) })
    req.on('end', () => {
      const url = new URL(String(req.url), 'http://127.0.0.1')
      const call = { method: String(req.method), path: url.pathname.replace('/apps/4', ''), query: url.searchParams, body: text === '' ? undefined : JSON.parse(text) }
      calls.push(call)
      const { status = 200, body = {}, delayMs = 0 } = answer(call)
      setTimeout(() => { res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body)) }, delayMs)
    })
  })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  t.teardown(() => { server.closeAllConnections(); server.close() })
  return { calls, options: { host: '127.0.0.1', port: (server.address() as AddressInfo).port, useTLS: false, encryptionMasterKeyBase64: MASTER_KEY } }
}

export type Handler = (req: IncomingMessage, res: ServerResponse, body: string) => void

/** A loopback API server: counts requests and connections, answers with `handler`. */
export async function rawApi (t: Test, handler: Handler): Promise<{ port: number, requests: string[], connections: () => number, server: Server }> {
  const requests: string[] = []
  let connections = 0
  const server = createServer((req, res) => {
    let body = ''
    req.on('data', (chunk) => { body += String(chunk) })
    req.on('end', () => { requests.push(body); handler(req, res, body) })
  })
  server.on('connection', () => { connections++ })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  t.teardown(async () => { server.closeAllConnections(); server.close() })
  return { port: (server.address() as AddressInfo).port, requests, connections: () => connections, server }
}

export const json = (status: number, body: unknown): Handler => (req, res) => {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body))
}
