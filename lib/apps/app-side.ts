import type { FastifyRequest } from 'fastify'
import type { MaybePromise } from '../../types/index'
import type { AuthorizeContext } from '../auth/authorize'
import type { Decorator, SendingMembers } from '../decorator'
import type { RequestForm } from '../send/request-pusher'
import type { WebhookSigner } from '../webhooks/signature'

/** Where the routes find, per request, whose secret signs and checks: one app's, or the request's tenant's. */
export interface RouteSources {
  authContext: (request: FastifyRequest) => MaybePromise<AuthorizeContext>
  webhookSigner: (request: FastifyRequest) => MaybePromise<WebhookSigner>
}

/**
 * What sends for a registration, and what its routes sign with: a single app (lib/apps/single-app.ts)
 * or tenants (lib/apps/tenant-app.ts). Built in two steps: its members first (the decorator takes them),
 * then, given the decorator, its routes' sources and request form.
 */
export interface AppSide {
  members: SendingMembers
  cacheTrigger: (channel: string, event: string, data: unknown, request: FastifyRequest) => Promise<unknown>
  bind: (decorator: Decorator) => { sources: RouteSources, requestForm: RequestForm }
  /** At ready(): the durable queue's worker. */
  start: () => void
  /** preClose: no new event from now on. */
  stop: () => void
  /** onClose: what is under way settles (for at most closeTimeout), then every pool is closed. */
  close: () => Promise<void>
}
