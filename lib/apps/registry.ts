import type { FastifyInstance, FastifyRequest } from 'fastify'
import type { FastifyPusher, RequestPusher } from '../../types/index'
import { AlreadyRegisteredError, InvalidOptionError, NoDefaultAppError, RouteCollisionError } from '../errors'
import { decorateRequestPusher, type RequestForm } from '../send/request-pusher'

const kRegistry = Symbol('fastify-pusher.apps')

/** The apps registered on one instance: the default one (unnamed) and the named ones. */
interface Registry {
  hasDefault: boolean
  apps: Record<string, FastifyPusher>
  defaultForm: RequestForm
  forms: Record<string, RequestForm>
  /** Each route the apps declare (`POST /pusher/auth`), and whose it is. */
  routes: Map<string, string>
  /** Each durable queue the apps use, and whose it is. */
  queues: Map<string, string>
}

const label = (name: string | undefined): string => name === undefined ? 'the default app' : `app "${name}"`

/** What a member of `fastify.pusher` (or `request.pusher`) does when only named apps are registered. */
const noDefault = (member: string): never => { throw new NoDefaultAppError(member) }

/** An object whose every member in `keys` says that there is no default app. */
const standIn = (keys: string[], owner: string): object =>
  Object.defineProperties({}, Object.fromEntries(keys.map((key) => [key, { get: () => noDefault(`${owner}.${key}`), configurable: true, enumerable: true }])))

const REQUEST_MEMBERS = ['socketId', 'tenant', 'trigger', 'triggerBatch', 'notify', 'queue', 'afterReply']

/** `request.pusher.apps`: each named app's request form, built on first use (and with these `apps` too). */
function requestApps (registry: Registry, request: FastifyRequest): Record<string, RequestPusher> {
  const built: Record<string, RequestPusher> = {}
  const apps: Record<string, RequestPusher> = Object.defineProperties({}, Object.fromEntries(Object.keys(registry.forms).map((name) => [name, {
    enumerable: true,
    get: () => (built[name] ??= Object.defineProperty(registry.forms[name](request), 'apps', { value: apps, enumerable: true }) as RequestPusher)
  }])))
  return apps
}

const setApps = (target: object, apps: Record<string, FastifyPusher>): void => {
  Object.defineProperty(target, 'apps', { value: apps, enumerable: true, configurable: true })
}

/** The first app of an instance declares `fastify.pusher` (the default app, or a stand-in) and `request.pusher`. */
function createRegistry (fastify: FastifyInstance, first: FastifyPusher, isDefault: boolean): Registry {
  const registry: Registry = { hasDefault: false, apps: {}, defaultForm: () => standIn(REQUEST_MEMBERS, 'request.pusher') as RequestPusher, forms: {}, routes: new Map(), queues: new Map() }
  // A stand-in whose every member (but `apps`) says that there is no default app, until one is registered.
  const root = isDefault ? first : standIn(Object.keys(first), 'app.pusher')
  Object.defineProperty(root, kRegistry, { value: registry })
  setApps(root, registry.apps)
  fastify.decorate('pusher', root as FastifyPusher)
  decorateRequestPusher(fastify, (request) => {
    let apps: Record<string, RequestPusher> | undefined
    return Object.defineProperty(registry.defaultForm(request), 'apps', { enumerable: true, get: () => (apps ??= requestApps(registry, request)) }) as RequestPusher
  })
  return registry
}

/**
 * Before an app is built: its name (or the default's place) must be free, and its routes and durable
 * queue too. Answers how to add it once built. The apps of one instance are registered in its own scope:
 * one that sees `fastify.pusher` from a parent scope cannot add to it (FST_PUSHER_ALREADY_REGISTERED, as
 * ever), so a child scope never changes its parent's apps.
 */
export function claimApp (
  fastify: FastifyInstance, name: string | undefined, { routes, queue }: { routes: string[], queue: string | undefined }
): (pusher: FastifyPusher, form: RequestForm) => void {
  const declared = fastify.hasDecorator('pusher')
  const existing = declared && Object.hasOwn(fastify, 'pusher') ? (fastify.pusher as unknown as { [kRegistry]?: Registry })[kRegistry] : undefined
  if (declared && (existing === undefined || (name === undefined ? existing.hasDefault : Object.hasOwn(existing.apps, name)))) {
    throw new AlreadyRegisteredError(label(name))
  }
  for (const route of routes) {
    const owner = existing?.routes.get(route)
    if (owner !== undefined) throw new RouteCollisionError(label(name), owner, route)
  }
  const queueOwner = queue === undefined ? undefined : existing?.queues.get(queue)
  if (queueOwner !== undefined) throw new InvalidOptionError('queue.name', `is the durable queue of ${queueOwner}: each app needs its own (its workers would send the other's events)`)
  return (pusher, form) => {
    const registry = existing ?? createRegistry(fastify, pusher, name === undefined)
    for (const route of routes) registry.routes.set(route, label(name))
    if (queue !== undefined) registry.queues.set(queue, label(name))
    const root = fastify.pusher as unknown as Record<string, unknown>
    if (name === undefined) {
      registry.hasDefault = true
      registry.defaultForm = form
      if (root !== (pusher as unknown)) {
        // Registered after named apps: the default app's members take the stand-in's place.
        for (const key of Object.keys(root)) if (key !== 'apps' && !Object.hasOwn(pusher, key)) Reflect.deleteProperty(root, key)
        const { apps: _apps, ...members } = Object.getOwnPropertyDescriptors(pusher)
        Object.defineProperties(root, members)
      }
    } else {
      registry.apps[name] = pusher
      registry.forms[name] = form
    }
    setApps(pusher, registry.apps)
  }
}
