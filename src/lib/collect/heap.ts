/**
 * The collector's memory budget (issue 12: peak RSS ≤ 200 MB whatever the backlog). A drain allocates a few
 * MB per batch that dies young, yet V8 promotes what is alive at each scavenge (the batch in flight) and lets
 * the old generation grow to several times the live heap before it collects it — ~100 MB of garbage in a long
 * drain whose live heap is ~25 MB. `HeapTrim` runs a full collection between batches once the heap has grown
 * past a soft limit: one ~20 ms pause every few tens of thousands of records. The `gc` function is taken from
 * V8 itself (exposed at runtime); if that is not possible the trim does nothing.
 */
import {getHeapStatistics, setFlagsFromString} from 'node:v8'
import {runInNewContext} from 'node:vm'

let gcFn: (() => void) | null | undefined

function collector(): (() => void) | null {
  if (gcFn !== undefined) return gcFn
  try {
    const g = (globalThis as {gc?: () => void}).gc
    if (typeof g === 'function') gcFn = g
    else {
      setFlagsFromString('--expose-gc')
      gcFn = runInNewContext('gc') as () => void
    }
  } catch {
    gcFn = null
  }
  return gcFn
}

export class HeapTrim {
  constructor(private readonly softLimitBytes = 48 * 1024 * 1024) {}

  /** Call between batches (never while a transaction is open: the pause would lengthen the pop→commit window). */
  maybe(): void {
    if (getHeapStatistics().used_heap_size < this.softLimitBytes) return
    collector()?.()
  }
}
