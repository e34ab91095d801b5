import type Pusher = require('pusher')
import type { FastifyPusherQueue } from '../../types/index'
import { createClient, signingToken } from '../config/client'
import type { ClientConfig } from '../config/options'
import type { Decorator } from '../decorator'
import { authorizeContext } from '../auth/context'
import type { AuthorizeContext } from '../auth/authorize'
import { createAppSenders, type AppSendOptions, type AppSenders } from '../send/app-senders'
import { webhookTokens, type WebhookSigner } from '../webhooks/signature'

/** One tenant, held by the tenant cache: its client and senders, what its auth and webhook routes use. */
export interface Tenant extends AppSenders {
  appId: string
  key: string
  /** The official client (the one `forApp()`'s sender shows). */
  client: Pusher
  auth: AuthorizeContext
  webhook: WebhookSigner
  /** Let go (the least recently used, or its credentials changed): resolves once its calls have settled and its pool is closed. */
  release: () => Promise<void>
}

export interface TenantParts {
  send: Omit<AppSendOptions, 'agent'>
  decorator: Decorator
  /** The registration's dedupe prefix ('' or `{name}:`): a tenant's delivery ids are kept under it and its app id. */
  deliveryPrefix: string
  /** The tenant's durable queue: jobs that carry its app id. */
  queueOf: (appId: string, client: Pusher, isClosing: () => boolean) => FastifyPusherQueue
}

/** Opens a tenant from its checked credentials: a client of its own, with its own batch queue and keep-alive pool. */
export function openTenant (config: ClientConfig, { send, decorator, deliveryPrefix, queueOf }: TenantParts): Tenant {
  const client = createClient(config)
  const { key } = signingToken(client)
  const parts = createAppSenders(client, { ...send, timeout: config.timeout }, (sending, isClosing) => queueOf(config.appId, sending, isClosing))
  return {
    ...parts,
    appId: config.appId,
    key,
    client,
    auth: authorizeContext(client, decorator),
    webhook: { tokens: webhookTokens([signingToken(client)]), deliveryPrefix: `${deliveryPrefix}${config.appId}:` },
    release: async () => {
      await parts.triggers.drain()
      await parts.sender.idle()
      parts.sender.close()
    }
  }
}
