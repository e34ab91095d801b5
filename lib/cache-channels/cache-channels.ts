import type { FastifyRequest } from 'fastify'
import type { FastifyPusherWebhooks, MaybePromise } from '../../types/index'
import { compileChannelPattern, type ChannelPattern } from '../auth/channel-pattern'
import { InvalidChannelPatternError, InvalidHandlerError, InvalidOptionError } from '../errors'
import { MAX_EVENT_NAME_LENGTH } from '../send/checks'

/** What a loader answers: the event to publish (its name defaults to the declaration's `event`), or undefined for none. */
export type CacheLoaderResult = { event?: string, data: unknown } | undefined | null

type Loader = (params: Record<string, string>, channel: string) => MaybePromise<CacheLoaderResult>

/** The prefixes of cache channels, longest first: the pattern matches what follows. */
const CACHE_PREFIXES = ['private-encrypted-cache-', 'private-cache-', 'presence-cache-', 'cache-']

/** The event name a loader's result goes out under when it names none. */
export const DEFAULT_CACHE_EVENT = 'state'

interface CacheChannel extends ChannelPattern {
  loader: Loader
  event: string
}

/** Publishes the loader's event (the request is the `cache_miss` delivery's: a tenant's is sent for it). */
type Trigger = (channel: string, event: string, data: unknown, request: FastifyRequest) => Promise<unknown>

/**
 * `app.pusher.cacheChannel(pattern, loader, { event? })`: on a `cache_miss` for a cache channel the
 * pattern matches (after its `cache-`, `private-cache-`, `private-encrypted-cache-` or
 * `presence-cache-` prefix), the first matching declaration's loader says what to publish, and it is
 * triggered on that channel. It runs as a `webhooks.on('cache_miss')` handler, so through the dedupe
 * like every handler: a delivery that comes again publishes nothing more. A loader that throws, or a
 * trigger that fails, fails the delivery (500): Pusher retries.
 */
export function createCacheChannels (webhooks: FastifyPusherWebhooks, trigger: Trigger) {
  const declared: CacheChannel[] = []

  const onCacheMiss = async (request: FastifyRequest, event: { channel: string }): Promise<void> => {
    const prefix = CACHE_PREFIXES.find((each) => event.channel.startsWith(each))
    if (prefix === undefined) return
    for (const cache of declared) {
      const params = cache.match(event.channel, prefix.length)
      if (params === undefined) continue
      const result = await cache.loader(params, event.channel)
      if (result === undefined || result === null) return
      await trigger(event.channel, result.event ?? cache.event, result.data, request)
      return
    }
  }

  return (pattern: unknown, loader: unknown, { event = DEFAULT_CACHE_EVENT }: { event?: string } = {}): void => {
    const name = `cacheChannel(${JSON.stringify(pattern)})`
    if (typeof pattern === 'string' && CACHE_PREFIXES.some((prefix) => pattern.startsWith(prefix))) {
      throw new InvalidChannelPatternError(JSON.stringify(pattern), 'leave out the cache- prefix (and private-, presence-): one declaration serves every kind of cache channel')
    }
    if (typeof loader !== 'function') throw new InvalidHandlerError(name, typeof loader)
    if (typeof event !== 'string' || event === '' || event.length > MAX_EVENT_NAME_LENGTH) {
      throw new InvalidOptionError(`${name}.event`, `must be an event name of 1 to ${MAX_EVENT_NAME_LENGTH} characters`)
    }
    const compiled = compileChannelPattern(pattern)
    if (declared.length === 0) webhooks.on('cache_miss', onCacheMiss as never)
    declared.push({ ...compiled, loader: loader as Loader, event })
  }
}
