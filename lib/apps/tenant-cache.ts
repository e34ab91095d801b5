import type { TenantLookup } from '../../types/index'
import type { ClientConfig } from '../config/options'
import { TenantUnavailableError } from '../errors'

export interface TenantCacheOptions<Tenant> {
  /** The tenant's checked credentials, or undefined for an unknown one; rejects with FST_PUSHER_TENANT_UNAVAILABLE. */
  lookup: (lookup: TenantLookup) => Promise<ClientConfig | undefined>
  /** Builds a tenant's client, sender and queues from its credentials. */
  open: (config: ClientConfig) => Tenant
  /** A tenant let go (least recently used, or its credentials changed): closed once its calls settle. */
  close: (tenant: Tenant) => void
  cacheMs: number
  max: number
}

/** `lookup`: the number of the lookup that found it (a later one's answer wins; an earlier one's, landing late, is ignored). */
interface Entry<Tenant> { config: ClientConfig, tenant: Tenant, freshUntil: number, lookup: number }

/** Whether two lookups found the same app: the same credentials and server (a client may be kept). */
const sameApp = (a: ClientConfig, b: ClientConfig): boolean =>
  a.appId === b.appId && a.key === b.key && a.secret === b.secret && a.cluster === b.cluster && a.host === b.host &&
  a.port === b.port && a.useTLS === b.useTLS && a.path === b.path && a.encryptionMasterKeyBase64 === b.encryptionMasterKeyBase64

/**
 * The tenants held, by app id (a Map in order of last use: the first is the least recently used) and by
 * key. A tenant's credentials are used for `cacheMs`, then looked up again: the tenant is kept when they
 * are the same, replaced when they changed, let go when the app is gone. At most `max` are held. Lookups
 * of one name under way at once are made once.
 */
export class TenantCache<Tenant> {
  private readonly entries = new Map<string, Entry<Tenant>>()
  private readonly byKey = new Map<string, string>()
  private readonly pending = new Map<string, Promise<Tenant | undefined>>()
  /** Lookups made so far: each is numbered when it starts. */
  private lookups = 0

  constructor (private readonly options: TenantCacheOptions<Tenant>) {}

  /** The tenant an app id or key names (as an app id first), or a lookup's: sync when it is held and fresh. */
  get (name: string | TenantLookup): Tenant | undefined | Promise<Tenant | undefined> {
    const lookups = typeof name === 'string' ? this.lookupsOf(name) : [name]
    for (const lookup of lookups) {
      const entry = this.held(lookup)
      if (entry !== undefined && Date.now() < entry.freshUntil) {
        this.touch(entry)
        return entry.tenant
      }
    }
    return this.find(lookups)
  }

  /** A bare name: an app id or key held says which it is; otherwise an app id first, then a key. */
  private lookupsOf (name: string): TenantLookup[] {
    if (this.entries.has(name)) return [{ appId: name }]
    if (this.byKey.has(name)) return [{ key: name }]
    return [{ appId: name }, { key: name }]
  }

  /** Forgets a tenant's credentials (a 401 from the API, say): the next use looks them up again. */
  stale (appId: string): void {
    const entry = this.entries.get(appId)
    if (entry !== undefined) entry.freshUntil = 0
  }

  private held (lookup: TenantLookup): Entry<Tenant> | undefined {
    const appId = lookup.appId ?? this.byKey.get(lookup.key as string)
    return appId === undefined ? undefined : this.entries.get(appId)
  }

  private touch (entry: Entry<Tenant>): void {
    this.entries.delete(entry.config.appId)
    this.entries.set(entry.config.appId, entry)
  }

  private async find (lookups: TenantLookup[]): Promise<Tenant | undefined> {
    for (const lookup of lookups) {
      const tenant = await this.once(lookup)
      if (tenant !== undefined) return tenant
    }
    return undefined
  }

  /** One lookup of a name at a time: callers of the same name share it. */
  private async once (lookup: TenantLookup): Promise<Tenant | undefined> {
    const name = lookup.appId !== undefined ? `appId:${lookup.appId}` : `key:${lookup.key as string}`
    let pending = this.pending.get(name)
    if (pending === undefined) {
      // At most `max` names looked up at once (the names may come from clients): past it, 503.
      if (this.pending.size >= this.options.max) throw new TenantUnavailableError('too many lookups are under way')
      const number = ++this.lookups
      pending = this.options.lookup(lookup).then((config) => this.store(lookup, config, number))
      this.pending.set(name, pending)
      const done = (): void => { this.pending.delete(name) }
      pending.then(done, done)
    }
    return await pending
  }

  private store (lookup: TenantLookup, config: ClientConfig | undefined, number: number): Tenant | undefined {
    const previous = this.held(lookup)
    // A lookup that started before the one that found what is held now answers late: what is held stands.
    if (previous !== undefined && previous.lookup > number) return previous.tenant
    if (config === undefined) {
      if (previous !== undefined) this.drop(previous)
      return undefined
    }
    const freshUntil = Date.now() + this.options.cacheMs
    const current = this.entries.get(config.appId)
    if (current !== undefined && current.lookup > number) return current.tenant
    if (current !== undefined && sameApp(current.config, config)) {
      current.freshUntil = freshUntil
      current.lookup = number
      this.touch(current)
      return current.tenant
    }
    if (current !== undefined) this.drop(current)
    // Another app held under this key (its key moved): let go too.
    const keyOwner = this.byKey.get(config.key)
    if (keyOwner !== undefined && keyOwner !== config.appId) this.drop(this.entries.get(keyOwner)!)
    const entry: Entry<Tenant> = { config, tenant: this.options.open(config), freshUntil, lookup: number }
    this.entries.set(config.appId, entry)
    this.byKey.set(config.key, config.appId)
    while (this.entries.size > this.options.max) this.drop(this.entries.values().next().value!)
    return entry.tenant
  }

  private drop (entry: Entry<Tenant>): void {
    this.entries.delete(entry.config.appId)
    if (this.byKey.get(entry.config.key) === entry.config.appId) this.byKey.delete(entry.config.key)
    this.options.close(entry.tenant)
  }
}
