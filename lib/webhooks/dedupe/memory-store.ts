import type { ClaimState, WebhookDedupeStore } from './store'

/**
 * A mark, as one small integer (no object per mark, so little for the GC to trace):
 * its expiry in ms since the store was made, plus one; negative while running.
 */
type Mark = number

/**
 * The default store, in this process: the marks of each delivery together, deliveries
 * in the order they were last written (a Map's own order). Bounded: past `maxEntries`
 * marks in all, the oldest deliveries go first. Expired marks are replaced when met.
 *
 * Eviction walks one long-lived iterator: every delivery before it has been evicted or
 * written again (so moved after it), so its next one is the oldest. A fresh
 * `keys().next()` per eviction would skip every deleted slot each time (V8 compacts
 * them only on rehash): 5 s instead of 0.12 s for 200,000 evictions, measured.
 */
export function memoryDedupeStore ({ maxEntries }: { maxEntries: number }): WebhookDedupeStore & { readonly size: number } {
  const deliveries = new Map<string, Map<string, Mark>>()
  const epoch = Date.now() - 1
  let size = 0
  const oldest = deliveries.keys()

  /** The delivery's marks, the delivery made the newest. */
  const touch = (delivery: string): Map<string, Mark> => {
    let marks = deliveries.get(delivery)
    if (marks === undefined) marks = new Map()
    else deliveries.delete(delivery)
    deliveries.set(delivery, marks)
    return marks
  }
  const mark = (marks: Map<string, Mark>, unit: string, state: 'running' | 'done', expires: number): void => {
    if (!marks.has(unit)) size++
    marks.set(unit, state === 'running' ? epoch - expires : expires - epoch)
  }
  // The delivery written last stays, even alone past the bound.
  const evict = (): void => {
    while (size > maxEntries && deliveries.size > 1) {
      // Never done: every delivery left is after the iterator, and there are two or more.
      const delivery = oldest.next().value as string
      size -= (deliveries.get(delivery) as Map<string, Mark>).size
      deliveries.delete(delivery)
    }
  }

  return {
    get size () { return size },
    claim (delivery, units, lockMs) {
      const now = Date.now()
      const marks = touch(delivery)
      const states = units.map((unit): ClaimState => {
        const existing = marks.get(unit)
        if (existing !== undefined && Math.abs(existing) + epoch > now) return existing < 0 ? 'running' : 'done'
        mark(marks, unit, 'running', now + lockMs)
        return 'claimed'
      })
      evict()
      return states
    },
    done (delivery, units, ttlMs) {
      const expires = Date.now() + ttlMs
      const marks = touch(delivery)
      for (const unit of units) mark(marks, unit, 'done', expires)
      evict()
    },
    release (delivery, units) {
      const marks = deliveries.get(delivery)
      if (marks === undefined) return
      for (const unit of units) if (marks.delete(unit)) size--
    }
  }
}
