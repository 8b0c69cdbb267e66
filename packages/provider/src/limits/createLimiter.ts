import { ProviderError } from '../errors/ProviderError.ts'
import type { Count, CounterStore } from './CounterStore.ts'
import { LIMITS, type LimitName } from './limitTable.ts'

/** Counts remembered at most (the rest are forgotten oldest first, and learnt again at their next count). */
const MAX_KNOWN_KEYS = 100_000

/**
 * The limits of `LIMITS` over one counter store, for what @fastify/rate-limit cannot count: it counts
 * a request as it arrives, and these count only failures (or unfinished authorizations), known when
 * the request is done.
 *
 * `begin` admits a request or refuses it, from this process's memory only, so a successful sign-in
 * or code redemption costs no trip to the store: it refuses when the key's last known count plus the
 * key's requests still in progress here reach the limit (so a burst of requests at once cannot slip
 * past it while their failures are being counted). `count` goes to the store, shared by the
 * instances, and keeps the count it returns. With several instances, each learns another's failures
 * at its own next count, so the instances together let through at most one burst more than the
 * limit. `take` counts and refuses in one step, for requests counted as they arrive.
 */
export function createLimiter(
  store: CounterStore,
  enabled: boolean,
  now: () => number = Date.now,
): Limiter {
  const known = new Map<string, Count>()
  const inFlight = new Map<string, number>()

  function remember(id: string, count: Count): void {
    known.delete(id)
    if (known.size >= MAX_KNOWN_KEYS) {
      const oldest = known.keys().next().value
      if (oldest !== undefined) known.delete(oldest)
    }
    known.set(id, count)
  }

  function refusal(until: number): ProviderError {
    const retryAfterSeconds = Math.max(1, Math.ceil((until - now()) / 1000))
    return new ProviderError('rate_limited', { retryAfterSeconds })
  }

  async function add(limit: LimitName, key: string, by: number): Promise<Count> {
    const id = `${limit}:${key}`
    const count = await store.add(id, by, LIMITS[limit].windowSeconds * 1000)
    // Answers to counts made at once arrive in any order (a database or Redis answers each on a
    // connection of its own): an addition's answer lower than one already known for the open
    // window is older news, and remembering it would admit a burst past the limit.
    const previous = known.get(id)
    const stale = by > 0 && previous !== undefined && previous.resetAt > now()
    if (stale && previous.count >= count.count) return count
    if (count.count > 0 && count.resetAt > now()) remember(id, count)
    else known.delete(id)
    return count
  }

  return {
    enabled,
    begin(limit, key) {
      if (!enabled) return () => {}
      const id = `${limit}:${key}`
      let last = known.get(id)
      if (last !== undefined && last.resetAt <= now()) {
        known.delete(id)
        last = undefined
      }
      const busy = inFlight.get(id) ?? 0
      // Refused for requests still in progress: they end within seconds.
      if ((last?.count ?? 0) + busy >= LIMITS[limit].max)
        throw refusal(
          last?.count === undefined || last.count < LIMITS[limit].max ? now() + 1000 : last.resetAt,
        )
      inFlight.set(id, busy + 1)
      let ended = false
      return () => {
        if (ended) return
        ended = true
        const left = (inFlight.get(id) ?? 1) - 1
        if (left > 0) inFlight.set(id, left)
        else inFlight.delete(id)
      }
    },
    async count(limit, key, by = 1) {
      if (enabled) await add(limit, key, by)
    },
    async take(limit, key) {
      if (!enabled) return
      const { count, resetAt } = await add(limit, key, 1)
      if (count > LIMITS[limit].max) throw refusal(resetAt)
    },
    store,
  }
}

/** The provider's rate limits (see `createLimiter`). */
export interface Limiter {
  /** False under RATE_LIMITS=off: nothing is counted or refused. */
  enabled: boolean
  /**
   * Admits a request under `limit` (throws `rate_limited` when `key` has reached it; no I/O) and
   * returns what to call when the request has ended, counted or not.
   */
  begin(limit: LimitName, key: string): () => void
  /** Adds `by` (1 by default; -1 for an authorization that came back) to `key`'s count. */
  count(limit: LimitName, key: string, by?: number): Promise<void>
  /** Counts this request and throws `rate_limited` when it is past `limit`. */
  take(limit: LimitName, key: string): Promise<void>
  /** The counters, shared with @fastify/rate-limit. */
  store: CounterStore
}
