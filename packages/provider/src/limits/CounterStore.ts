/** A counter's value in its current window, and when that window closes (ms since the epoch). */
export interface Count {
  count: number
  resetAt: number
}

/**
 * Where the rate-limit counters live: in memory (one instance, SQLite), in the database
 * (PostgreSQL, shared by its instances) or in Redis (REDIS_URL). Each counter has a fixed window
 * that opens at its first count.
 */
export interface CounterStore {
  /**
   * Adds `by` (negative to take away, never below 0) to `key`'s count in its open window, or starts
   * a window of `windowMs` when none is open, and returns the count. Atomic: instances that add at
   * once each see a different count.
   */
  add(key: string, by: number, windowMs: number): Promise<Count>
  /** Lets go of what the store holds open (a connection, a timer). */
  close(): Promise<void>
}
