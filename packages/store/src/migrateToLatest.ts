import { type Kysely, type Migration, Migrator } from 'kysely'

/**
 * Brings a database up to the newest of `migrations`, in name order, each in its own transaction
 * (on SQLite too).
 *
 * Each package keeps its own history table (`historyTable`), so packages that share one database
 * migrate independently. Throws with the failing migration's name when one fails.
 */
export async function migrateToLatest(
  db: Kysely<unknown>,
  migrations: Record<string, Migration>,
  historyTable: string,
): Promise<void> {
  // Kysely runs migrations in a transaction only where the dialect says DDL is transactional, and
  // its SQLite dialect says no, although SQLite's DDL is: without this, a crash half-way through a
  // migration would leave it half applied, and every later start would fail on it.
  const transactional = db.getExecutor().adapter.supportsTransactionalDdl
  const migrator = new Migrator({
    db,
    provider: {
      getMigrations: async () => (transactional ? migrations : eachInATransaction(migrations)),
    },
    migrationTableName: historyTable,
    migrationLockTableName: `${historyTable}_lock`,
  })
  const { error, results } = await migrator.migrateToLatest()
  if (error !== undefined) {
    const failed = results?.find((result) => result.status === 'Error')
    const reason = error instanceof Error ? error.message : String(error)
    throw new Error(`database migration ${failed?.migrationName ?? ''} failed: ${reason}`, {
      cause: error,
    })
  }
}

/** The same migrations, each of whose steps runs in a transaction of its own. */
function eachInATransaction(migrations: Record<string, Migration>): Record<string, Migration> {
  const inTransaction =
    (step: Migration['up']): Migration['up'] =>
    (db) =>
      db.transaction().execute((trx) => step(trx))
  return Object.fromEntries(
    Object.entries(migrations).map(([name, migration]) => [
      name,
      {
        up: inTransaction(migration.up),
        ...(migration.down === undefined ? {} : { down: inTransaction(migration.down) }),
      },
    ]),
  )
}
