import { type Kysely, sql } from 'kysely'
import { databaseKind } from './databaseKind.ts'

/** One advisory lock per schema, distinct from Kysely's migration lock (one constant per database). */
const STARTUP_LOCK = sql`hashtextextended('passkey-id start ' || current_schema(), 0)`

/** How long a start waits for another one holding the lock before giving up. */
const LOCK_WAIT = '120s'

/** PostgreSQL's SQLSTATE for `lock_not_available`, raised when `lock_timeout` runs out. */
const LOCK_NOT_AVAILABLE = '55P03'

/**
 * Runs `work` while no other instance on the same PostgreSQL schema runs its own: migrations and the
 * first keys and secrets, so that instances starting together on an empty database end with one
 * current key per algorithm and publish the same keys. On SQLite, which has one instance, `work`
 * just runs.
 *
 * The lock and all the work share one connection (`locked`), so a pool of one does not deadlock,
 * and the lock is freed with the connection if the process dies. The pool's `statement_timeout` is
 * lifted on that connection, or a start waiting behind a slow one, or a long migration, would be
 * cancelled.
 */
export async function withStartupLock<Schema, Result>(
  db: Kysely<Schema>,
  work: (locked: Kysely<Schema>) => Promise<Result>,
): Promise<Result> {
  if (databaseKind(db) !== 'postgres') return work(db)
  return db.connection().execute(async (locked) => {
    await sql`select set_config('statement_timeout', '0', false), set_config('lock_timeout', ${LOCK_WAIT}, false)`.execute(
      locked,
    )
    try {
      await sql`select pg_advisory_lock(${STARTUP_LOCK})`.execute(locked).catch(explainTimeout)
      try {
        return await work(locked)
      } finally {
        await sql`select pg_advisory_unlock(${STARTUP_LOCK})`.execute(locked)
      }
    } finally {
      // Back to the pool's values before the connection returns to it.
      await sql`reset statement_timeout`.execute(locked).catch(() => {})
      await sql`reset lock_timeout`.execute(locked).catch(() => {})
    }
  })
}

function explainTimeout(error: unknown): never {
  if ((error as { code?: unknown } | null)?.code !== LOCK_NOT_AVAILABLE) throw error
  throw new Error(
    `another passkey-id instance has been starting (or migrating) on this database schema for over ${LOCK_WAIT}: is one stuck?`,
    { cause: error },
  )
}
