/**
 * A bounded map that forgets the least recently used entry first, and entries past their own expiry.
 * A `Map` keeps insertion order, so moving an entry to the end on use is all the bookkeeping needed.
 */
export class LruCache<Key, Value> {
  private readonly entries = new Map<Key, { value: Value; expiresAt: number }>()

  private readonly maxEntries: number

  constructor(maxEntries: number) {
    this.maxEntries = maxEntries
  }

  /** The value for `key`, unless it is missing or expired at `now`. */
  get(key: Key, now = Date.now()): Value | undefined {
    const entry = this.entries.get(key)
    if (entry === undefined) return undefined
    this.entries.delete(key)
    if (entry.expiresAt <= now) return undefined
    this.entries.set(key, entry)
    return entry.value
  }

  /** Keeps `value` until `expiresAt` (epoch milliseconds), evicting the oldest entry when full. */
  set(key: Key, value: Value, expiresAt: number): void {
    this.entries.delete(key)
    this.entries.set(key, { value, expiresAt })
    if (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next()
      if (oldest.done !== true) this.entries.delete(oldest.value)
    }
  }

  /** How many entries it holds (expired ones included until they are read or evicted). */
  get size(): number {
    return this.entries.size
  }
}
