import type { ClaimState, WebhookDedupeStore } from '../../../types/dedupe-store'

/**
 * The marks of one delivery, compact (a store holds up to 100,000 marks, replaced as
 * fast as deliveries come: every retained byte is work for the garbage collector).
 * Units named by an event index are one byte each of `events` (0 none, R running,
 * D done); any other unit is in `others`. One expiry per kind of mark:
 * a mark lasts at least its `lockMs` / `ttlMs`, a little longer when a later mark of
 * the same delivery moved the expiry on.
 */
interface Marks {
  /**
   * A delivery seen once and written as a whole (claimed, then done, every unit
   * together: nearly all of them) keeps its units here, all holding `allMark`: a
   * number n for the units '0' .. 'n - 1' (events only, the usual case: nothing kept per
   * event), else the list. The per-unit marks below are made only when a write covers
   * some of them only.
   */
  all: string[] | number | undefined
  allMark: Mark
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

/** Whether the units are '0', '1', ... in order: every event of a delivery. */
function isEventRange (units: string[]): boolean {
  for (let i = 0; i < units.length; i++) if (indexOf(units[i]) !== i) return false
  return true
}

/** Whether two lists of units are the same, in the same order (as dispatch passes them). */
function sameUnits (a: string[], b: string[]): boolean {
  if (a.length !== b.length) return false
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false
  return true
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

  /** The delivery written last, and its marks: last in the map already (eviction never takes it). */
  let newest: string | undefined
  let newestMarks: Marks | undefined
  /** The delivery's marks, the delivery made the newest. */
  const touch = (delivery: string): Marks => {
    // Mostly the delivery claimed a moment ago (its handlers ran synchronously): nothing to move.
    if (delivery === newest) return newestMarks as Marks
    let marks = deliveries.get(delivery)
    if (marks === undefined) marks = { all: undefined, allMark: R, events: EMPTY, others: undefined, runningUntil: 0, doneUntil: 0, count: 0 }
    else deliveries.delete(delivery)
    deliveries.set(delivery, marks)
    newest = delivery
    newestMarks = marks
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
  /** The mark `unit` holds in `marks`, if any. */
  const markOf = (marks: Marks, unit: string, index: number): Mark | undefined => {
    const existing = index >= 0 ? marks.events[index] : marks.others?.get(unit)
    return existing === R || existing === D ? existing : undefined
  }
  /** Sets (or, with NONE, removes) the mark of `unit`, which held `had`; `units`: how many are being written (room made for them at once). */
  const set = (marks: Marks, unit: string, index: number, had: Mark | undefined, mark: Mark | typeof NONE, units: number): void => {
    if (had === undefined && mark !== NONE) marks.count++
    if (had !== undefined && mark === NONE) marks.count--
    if (index >= 0) {
      if (index >= marks.events.length) {
        const grown = new Uint8Array(Math.max(index + 1, units))
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
  }
  /** Turns a whole-delivery mark into per-unit marks, before a write that may cover some units only. */
  const split = (marks: Marks): void => {
    const all = marks.all
    if (all === undefined) return
    marks.all = undefined
    marks.count = 0
    write(marks, typeof all === 'number' ? Array.from({ length: all }, (_, index) => String(index)) : all, marks.allMark)
  }
  /** Sets (or removes) the marks of `units`: plain loops, no closure or array per unit. */
  const write = (marks: Marks, units: string[], mark: Mark | typeof NONE): void => {
    split(marks)
    for (const unit of units) {
      const index = indexOf(unit)
      set(marks, unit, index, markOf(marks, unit, index), mark, units.length)
    }
  }

  return {
    get size () { return size },
    claim (delivery, units, lockMs) {
      const now = Date.now()
      const marks = touch(delivery)
      const count = marks.count
      if (count === 0) {
        // A delivery with no mark: every unit claimed, in one mark.
        marks.all = isEventRange(units) ? units.length : units.slice()
        marks.allMark = R
        marks.count = units.length
        marks.runningUntil = now + lockMs
        size += units.length
        evict()
        return new Array<ClaimState>(units.length).fill('claimed')
      }
      split(marks)
      const states = new Array<ClaimState>(units.length)
      let claimed = false
      for (let i = 0; i < units.length; i++) {
        const unit = units[i]
        const index = indexOf(unit)
        const had = markOf(marks, unit, index)
        if (had === R && marks.runningUntil > now) states[i] = 'running'
        else if (had === D && marks.doneUntil > now) states[i] = 'done'
        else {
          set(marks, unit, index, had, R, units.length)
          states[i] = 'claimed'
          claimed = true
        }
      }
      if (claimed) marks.runningUntil = now + lockMs
      size += marks.count - count
      evict()
      return states
    },
    done (delivery, units, ttlMs) {
      const marks = touch(delivery)
      const count = marks.count
      const all = marks.all
      if (all !== undefined && (typeof all === 'number' ? all === units.length && isEventRange(units) : sameUnits(all, units))) marks.allMark = D
      else write(marks, units, D)
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
