import type { ClaimState, WebhookDedupeStore } from './store'

/**
 * The marks of one delivery, compact (a store holds up to 100,000 marks, replaced as
 * fast as deliveries come: every retained byte is work for the garbage collector).
 * Units named by an event index are one byte each of `events` (0 none, R running,
 * D done); any other unit is in `others`. One expiry per kind of mark:
 * a mark lasts at least its `lockMs` / `ttlMs`, a little longer when a later mark of
 * the same delivery moved the expiry on.
 */
interface Marks {
  events: Uint8Array
  others: Map<string, Mark> | undefined
  runningUntil: number
  doneUntil: number
  count: number
}

type Mark = typeof R | typeof D
const NONE = 0
const R = 1
const D = 2
const EMPTY = new Uint8Array(0)

/** The event index a unit names ('0', '17', ... up to 4 digits, as dispatch names them), or -1. */
function indexOf (unit: string): number {
  const length = unit.length
  if (length === 0 || length > 4 || (length > 1 && unit.charCodeAt(0) === 48)) return -1
  let index = 0
  for (let i = 0; i < length; i++) {
    const digit = unit.charCodeAt(i) - 48
    if (digit < 0 || digit > 9) return -1
    index = index * 10 + digit
  }
  return index
}

/**
 * The default store, in this process: deliveries in the order they were last written
 * (a Map's own order). Bounded: past `maxEntries` marks in all, the oldest deliveries
 * go first (the one written last stays, even alone past the bound).
 *
 * Eviction walks one long-lived iterator: every delivery before it has been evicted or
 * written again (so moved after it), so its next one is the oldest. A fresh
 * `keys().next()` per eviction would skip every deleted slot each time (V8 compacts
 * them only on rehash): 5 s instead of 0.12 s for 200,000 evictions, measured.
 */
export function memoryDedupeStore ({ maxEntries }: { maxEntries: number }): WebhookDedupeStore & { readonly size: number } {
  const deliveries = new Map<string, Marks>()
  const oldest = deliveries.keys()
  let size = 0

  /** The delivery's marks, the delivery made the newest. */
  const touch = (delivery: string): Marks => {
    let marks = deliveries.get(delivery)
    if (marks === undefined) marks = { events: EMPTY, others: undefined, runningUntil: 0, doneUntil: 0, count: 0 }
    else deliveries.delete(delivery)
    deliveries.set(delivery, marks)
    return marks
  }
  const evict = (): void => {
    while (size > maxEntries && deliveries.size > 1) {
      // Never done: every delivery left is after the iterator, and there are two or more.
      const delivery = oldest.next().value as string
      size -= (deliveries.get(delivery) as Marks).count
      deliveries.delete(delivery)
    }
  }
  /** Sets (or, with NONE, removes) the marks of `units`; `keep` says which existing marks stay as they are. */
  const write = (marks: Marks, units: string[], mark: Mark | typeof NONE, keep: (existing: Mark) => boolean = () => false): Array<Mark | undefined> =>
    units.map((unit): Mark | undefined => {
      const index = indexOf(unit)
      const existing = index >= 0 ? marks.events[index] : marks.others?.get(unit)
      const had = existing === R || existing === D ? existing : undefined
      if (had !== undefined && keep(had)) return had
      if (had === undefined && mark !== NONE) marks.count++
      if (had !== undefined && mark === NONE) marks.count--
      if (index >= 0) {
        if (index >= marks.events.length) {
          const grown = new Uint8Array(Math.max(index + 1, units.length))
          grown.set(marks.events)
          marks.events = grown
        }
        marks.events[index] = mark
      } else if (mark === NONE) {
        marks.others?.delete(unit)
      } else {
        marks.others ??= new Map()
        marks.others.set(unit, mark)
      }
      return had
    })

  return {
    get size () { return size },
    claim (delivery, units, lockMs) {
      const now = Date.now()
      const marks = touch(delivery)
      const live = (mark: Mark): boolean => mark === R ? marks.runningUntil > now : marks.doneUntil > now
      const count = marks.count
      const states = write(marks, units, R, live).map((had): ClaimState => had !== undefined && live(had) ? (had === R ? 'running' : 'done') : 'claimed')
      if (states.includes('claimed')) marks.runningUntil = now + lockMs
      size += marks.count - count
      evict()
      return states
    },
    done (delivery, units, ttlMs) {
      const marks = touch(delivery)
      const count = marks.count
      write(marks, units, D)
      size += marks.count - count
      marks.doneUntil = Math.max(marks.doneUntil, Date.now() + ttlMs)
      evict()
    },
    release (delivery, units) {
      const marks = deliveries.get(delivery)
      if (marks === undefined) return
      const count = marks.count
      write(marks, units, NONE)
      size += marks.count - count
    }
  }
}
