import type { Kysely } from 'kysely'
import type { ProviderDatabase } from '../store/schema.ts'
import type { CounterStore } from './CounterStore.ts'

/**
 * Counters in the `rate_limit_counters` table, shared by every instance on one PostgreSQL database.
 * Each count is one upsert that adds to the open window or, when the window has closed, starts a
 * new one: atomic in PostgreSQL (and in SQLite), so counts from instances at once never get lost.
 * Closed windows are deleted with the expired protocol records (`store/deleteExpiredRecords`).
 */
export function databaseCounterStore(
  db: Kysely<ProviderDatabase>,
  clock: () => number = Date.now,
): CounterStore {
  return {
    async add(key, by, windowMs) {
      const time = clock()
      const now = new Date(time).toISOString()
      const newExpiry = new Date(time + windowMs).toISOString()
      const started = Math.max(0, by)
      const row = await db
        .insertInto('rate_limit_counters')
        .values({ key, count: started, expires_at: newExpiry })
        .onConflict((conflict) =>
          conflict.column('key').doUpdateSet((eb) => {
            const closed = eb('rate_limit_counters.expires_at', '<=', now)
            const added = eb('rate_limit_counters.count', '+', by)
            return {
              count: eb
                .case()
                .when(closed)
                .then(started)
                .when(added, '<', 0)
                .then(0)
                .else(added)
                .end(),
              expires_at: eb
                .case()
                .when(closed)
                .then(newExpiry)
                .else(eb.ref('rate_limit_counters.expires_at'))
                .end(),
            }
          }),
        )
        .returning(['count', 'expires_at'])
        .executeTakeFirstOrThrow()
      return { count: Number(row.count), resetAt: Date.parse(row.expires_at) }
    },
    async close() {},
  }
}
