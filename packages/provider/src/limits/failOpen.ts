import type { FastifyBaseLogger } from 'fastify'
import type { CounterStore } from './CounterStore.ts'

/**
 * A shared counter store (Redis, or PostgreSQL) that fails open: while it cannot answer, every count
 * comes back 0 and requests go on unlimited. An identity provider that refused sign-ins whenever
 * its counters were away would turn a Redis outage into a sign-in outage for every app; what an
 * attacker gains meanwhile is unthrottled attempts at things that cannot be guessed (passkey
 * signatures, 256-bit codes), while one account per interaction still holds. The outage is logged
 * at error level once when it starts, and at info when the counters answer again.
 */
export function failOpen(store: CounterStore, log: FastifyBaseLogger, what: string): FailOpenStore {
  let down = false
  const fail = (error: unknown) => {
    if (down) return
    down = true
    log.error(
      { err: error },
      `rate limits are not enforced: ${what} cannot be reached; requests go on unlimited until it answers again`,
    )
  }
  return {
    reportError: fail,
    async add(key, by, windowMs) {
      try {
        const count = await store.add(key, by, windowMs)
        if (down) {
          down = false
          log.info(`rate limits are enforced again: ${what} answers`)
        }
        return count
      } catch (error) {
        fail(error)
        return { count: 0, resetAt: Date.now() }
      }
    },
    close: () => store.close(),
  }
}

/** A counter store that never throws, and can be told of an error seen elsewhere (a connection's). */
export interface FailOpenStore extends CounterStore {
  reportError(error: unknown): void
}
