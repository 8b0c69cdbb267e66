import type { Count, CounterStore } from './CounterStore.ts'

/** How often a full map may be swept for expired windows. */
const SWEEP_INTERVAL_MS = 1000

/**
 * Counters in this process's memory, for a single instance on SQLite. Bounded to `maxKeys` (each
 * about 100 bytes): when full, expired windows go first, then the oldest; a counter dropped that way
 * starts again from 0, so a flood of addresses wears away only its own limits.
 */
export function memoryCounterStore(maxKeys = 100_000, now = Date.now): CounterStore {
  const counts = new Map<string, Count>()
  let lastSweep = Number.NEGATIVE_INFINITY

  function makeRoom(time: number): void {
    if (counts.size < maxKeys) return
    // A sweep reads every counter: at most once a second, or a flood of new addresses, which is
    // what fills the map, would pay it on each request.
    if (time - lastSweep >= SWEEP_INTERVAL_MS) {
      lastSweep = time
      for (const [key, count] of counts) if (count.resetAt <= time) counts.delete(key)
    }
    while (counts.size >= maxKeys) {
      const oldest = counts.keys().next().value
      if (oldest === undefined) break
      counts.delete(oldest)
    }
  }

  return {
    async add(key, by, windowMs) {
      const time = now()
      const open = counts.get(key)
      if (open !== undefined && open.resetAt > time) {
        open.count = Math.max(0, open.count + by)
        return { ...open }
      }
      if (open !== undefined) counts.delete(key)
      else makeRoom(time)
      const started = { count: Math.max(0, by), resetAt: time + windowMs }
      counts.set(key, started)
      return { ...started }
    },
    async close() {
      counts.clear()
    },
  }
}
