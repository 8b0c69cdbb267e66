import { type Kysely, type Migration, Migrator } from 'kysely'

/**
 * Brings a database up to the newest of `migrations`, in name order, each in its own transaction.
 *
 * Each package keeps its own history table (`historyTable`), so packages that share one database
 * migrate independently. Throws with the failing migration's name when one fails.
 */
export async function migrateToLatest(
  db: Kysely<unknown>,
  migrations: Record<string, Migration>,
  historyTable: string,
): Promise<void> {
  const migrator = new Migrator({
    db,
    provider: { getMigrations: async () => migrations },
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
