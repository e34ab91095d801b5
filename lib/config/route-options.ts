import type { onRequestHookHandler, preHandlerHookHandler, RouteShorthandOptions } from 'fastify'
import type { PusherRouteOptions } from '../../types/index'
import { InvalidOptionError } from '../errors'
import { isObject } from './is-object'

const GROUPS = ['auth', 'userAuth', 'webhooks'] as const
type Group = typeof GROUPS[number]
/** Each group's options, or false: that group's routes are not declared. */
export type ResolvedRouteOptions = Record<Group, PusherRouteOptions | false>

const isHookList = (value: unknown): boolean =>
  typeof value === 'function' || (Array.isArray(value) && value.every((hook) => typeof hook === 'function'))

/** Each field: how to check it, and what to say when it is wrong (the value is never echoed). */
const FIELDS: Record<keyof PusherRouteOptions, [(value: unknown) => boolean, string]> = {
  onRequest: [isHookList, 'must be a hook function or a list of them'],
  preHandler: [isHookList, 'must be a hook function or a list of them'],
  config: [isObject, 'must be an object (the routes\' config)'],
  bodyLimit: [(value) => Number.isSafeInteger(value) && (value as number) > 0, 'must be a positive whole number of bytes'],
  logLevel: [(value) => typeof value === 'string' && value !== '', 'must be a log level name, e.g. "warn"'],
  hide: [(value) => typeof value === 'boolean', 'must be true or false'],
  tags: [(value) => Array.isArray(value) && value.every((tag) => typeof tag === 'string'), 'must be a list of strings']
}

/** `routeOptions` -> checked options for each group of routes (register time). */
export function resolveRouteOptions (value: unknown): ResolvedRouteOptions {
  const resolved: ResolvedRouteOptions = { auth: {}, userAuth: {}, webhooks: {} }
  if (value === undefined) return resolved
  if (!isObject(value)) throw new InvalidOptionError('routeOptions', `must be an object with any of ${GROUPS.join(', ')}`)
  for (const [group, options] of Object.entries(value)) {
    if (!(GROUPS as readonly string[]).includes(group)) {
      throw new InvalidOptionError(`routeOptions.${group}`, `is not a group of routes: use ${GROUPS.join(', ')}`)
    }
    if (options === undefined) continue
    if (options === false) {
      resolved[group as Group] = false
      continue
    }
    if (!isObject(options)) throw new InvalidOptionError(`routeOptions.${group}`, 'must be an object, or false to leave these routes out')
    for (const [field, fieldValue] of Object.entries(options)) {
      const check = FIELDS[field as keyof PusherRouteOptions]
      const name = `routeOptions.${group}.${field}`
      if (check === undefined) throw new InvalidOptionError(name, `is not a route option: use ${Object.keys(FIELDS).join(', ')}`)
      if (fieldValue !== undefined && !check[0](fieldValue)) throw new InvalidOptionError(name, check[1])
    }
    resolved[group as Group] = options as PusherRouteOptions
  }
  return resolved
}

const list = <T>(hooks: T | T[] | undefined): T[] => hooks === undefined ? [] : Array.isArray(hooks) ? hooks : [hooks]

/**
 * The route fields for one of the plugin's routes: the plugin's own onRequest check
 * first, then the user's hooks; the user's config, limit and log level.
 */
export function routeFields (
  options: PusherRouteOptions,
  own: { onRequest?: onRequestHookHandler, bodyLimit?: number }
): Pick<RouteShorthandOptions, 'onRequest' | 'preHandler' | 'config' | 'bodyLimit' | 'logLevel'> {
  const fields: ReturnType<typeof routeFields> = {}
  const onRequest = [...list(own.onRequest), ...list(options.onRequest)]
  const preHandler = list<preHandlerHookHandler>(options.preHandler)
  if (onRequest.length > 0) fields.onRequest = onRequest
  if (preHandler.length > 0) fields.preHandler = preHandler
  if (options.config !== undefined) fields.config = options.config
  const bodyLimit = options.bodyLimit ?? own.bodyLimit
  if (bodyLimit !== undefined) fields.bodyLimit = bodyLimit
  if (options.logLevel !== undefined) fields.logLevel = options.logLevel
  return fields
}

/** The OpenAPI fields (`@fastify/swagger`) the user set for a group of routes. */
export function schemaFields (options: PusherRouteOptions): { hide?: boolean, tags?: string[] } {
  const fields: { hide?: boolean, tags?: string[] } = {}
  if (options.hide !== undefined) fields.hide = options.hide
  if (options.tags !== undefined) fields.tags = options.tags
  return fields
}
