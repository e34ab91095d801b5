import type { ClaimState, WebhookDedupeStore } from './store'

interface Mark { state: 'running' | 'done', expires: number }

/**
 * The default store: a Map in this process, bounded. Entries are kept in the order
 * they were last written (a Map's own order), so the oldest go first once there are
 * more than `maxEntries`; expired ones are dropped when met.
 */
export function memoryDedupeStore ({ maxEntries }: { maxEntries: number }): WebhookDedupeStore & { readonly size: number } {
  const marks = new Map<string, Mark>()
  const write = (key: string, mark: Mark): void => {
    marks.delete(key)
    marks.set(key, mark)
    if (marks.size > maxEntries) marks.delete(marks.keys().next().value as string)
  }
  return {
    get size () { return marks.size },
    claim (keys, lockMs) {
      const now = Date.now()
      return keys.map((key): ClaimState => {
        const mark = marks.get(key)
        if (mark !== undefined && mark.expires > now) return mark.state
        write(key, { state: 'running', expires: now + lockMs })
        return 'claimed'
      })
    },
    done (keys, ttlMs) {
      const expires = Date.now() + ttlMs
      for (const key of keys) write(key, { state: 'done', expires })
    },
    release (keys) {
      for (const key of keys) marks.delete(key)
    }
  }
}
