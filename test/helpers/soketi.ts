// The tests start soketi the way the demo does (examples/soketi.js), typed here.
const launcher = require('../../examples/soketi') as {
  startSoketi: (options?: SoketiOptions) => Promise<Soketi>
  freePort: () => Promise<number>
  soketiNode: () => string
}

export interface SoketiWebhook {
  url: string
  event_types: string[]
}

export interface SoketiOptions {
  webhooks?: SoketiWebhook[]
  /** SOKETI_WEBHOOKS_BATCHING: events of 50 ms in one delivery, posted to every URL of any of its events. */
  webhooksBatching?: boolean
  /** SOKETI_PATH_PREFIX: the HTTP API and the WebSocket under this path. */
  pathPrefix?: string
  /** Apps besides the default one (soketi's array app manager). */
  apps?: Array<{ appId: string, key: string, secret: string, webhooks?: SoketiWebhook[] }>
  /** This port instead of a free one (to start soketi again where a stopped one was). */
  port?: number
  appId?: string
  key?: string
  secret?: string
}

export interface Soketi {
  host: '127.0.0.1'
  port: number
  appId: string
  key: string
  secret: string
  /** `{ appId, key, secret, host, port, useTLS: false }`: the plugin's options for this soketi. */
  pusherOptions: { appId: string, key: string, secret: string, host: string, port: number, useTLS: false }
  /** Every app it serves, the default first. */
  apps: Array<{ appId: string, key: string, secret: string, pusherOptions: Soketi['pusherOptions'] }>
  /** What soketi printed, for failure messages. */
  output: () => string
  /** SIGTERM by default (soketi closes its sockets first); SIGKILL, a crash. */
  stop: (signal?: 'SIGTERM' | 'SIGKILL') => Promise<void>
}

export const { startSoketi, freePort, soketiNode } = launcher
