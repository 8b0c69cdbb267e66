import { setTimeout as sleep } from 'node:timers/promises'
import { type Kysely, Migrator, sql } from 'kysely'

/** How long `untilWaitingForMigrationLock` waits for a connection to block, on a loaded machine. */
const WAIT_MS = 15_000

/** Kysely's migration lock, held by a migration that waits until `release`. */
export interface HeldMigrationLock {
  /** Lets the holding migration finish, and waits until it has released the lock. */
  release(): Promise<void>
}

/**
 * Holds Kysely's PostgreSQL migration lock, which is one advisory lock for the whole database, as a
 * provider migrating its own schema does: `db`'s schema runs a migration that waits until
 * `release()`. Resolves once the lock is held; hold it for less than 30 s (see `release`).
 */
export async function holdMigrationLock(db: Kysely<unknown>): Promise<HeldMigrationLock> {
  let finish = () => {}
  let entered = () => {}
  const inside = new Promise<void>((done) => {
    entered = done
  })
  // Kysely's own Migrator, as the store's migrateToLatest runs it, with its history in db's schema,
  // on one connection without a statement timeout: the lock is one per database, and another test
  // file's migration may hold it longer than the pool's timeout allows a wait.
  const holding = db.connection().execute(async (connection) => {
    await sql`select set_config('statement_timeout', '0', false)`.execute(connection)
    const { rows } = await sql<{
      schema: string
    }>`select current_schema() as schema`.execute(connection)
    return new Migrator({
      db: connection,
      migrationTableSchema: rows[0]?.schema,
      migrationTableName: 'held_migrations',
      migrationLockTableName: 'held_migrations_lock',
      provider: {
        getMigrations: async () => ({
          '0001_held': {
            up: () =>
              new Promise<void>((done) => {
                finish = done
                entered()
              }),
          },
        }),
      },
    }).migrateToLatest()
  })
  const ended = await Promise.race([inside.then(() => undefined), holding])
  if (ended !== undefined)
    throw new Error(
      `the migration lock was not taken: ${String(ended.error ?? 'no migration ran')}`,
    )
  return {
    async release() {
      finish()
      // The held migration idles in a transaction: past the pool's idle-in-transaction timeout
      // (30 s) the server ends it and the lock was lost early; say so rather than pass.
      const { error } = await holding
      if (error !== undefined) throw new Error(`the held migration lock was lost: ${String(error)}`)
    },
  }
}

/**
 * Waits until the connection named `applicationName` (its `application_name`) is blocked on an
 * advisory lock, as seen from `db`: proof that it is waiting for the migration lock, not still
 * connecting on a slow machine. Throws after 15 s.
 */
export async function untilWaitingForMigrationLock(
  db: Kysely<unknown>,
  applicationName: string,
): Promise<void> {
  const deadline = Date.now() + WAIT_MS
  for (;;) {
    const { rows } = await sql<{ n: number }>`select count(*)::int as n from pg_stat_activity
      where application_name = ${applicationName}
        and wait_event_type = 'Lock' and wait_event = 'advisory'`.execute(db)
    if (rows[0]?.n === 1) return
    if (Date.now() > deadline)
      throw new Error(`${applicationName} did not wait for the migration lock within ${WAIT_MS} ms`)
    await sleep(50)
  }
}
