import { type Kysely, type Migration, Migrator, sql } from 'kysely'
import { databaseKind } from './databaseKind.ts'
import { SchemaTooNewError } from './SchemaTooNewError.ts'

/**
 * Brings a database up to the newest of `migrations`, in name order, each in its own transaction
 * (on SQLite too; on PostgreSQL all pending ones in one), and returns the names it applied.
 *
 * Each package keeps its own history table (`historyTable`), so packages that share one database
 * migrate independently. On PostgreSQL the history lives in the connection's current schema, so
 * that several schemas in one database each keep their own. Throws `SchemaTooNewError`, before
 * changing anything, when the history names a migration this code does not have; throws with the
 * failing migration's name when one fails.
 *
 * On PostgreSQL, Kysely's migration lock is one advisory lock for the whole database, so migrations
 * in different schemas (the provider's, the plugin's session store's, other instances') run one at a
 * time. A migration therefore runs on one connection with the pool's `statement_timeout` lifted:
 * waiting behind another schema's migration, or a long one of its own, is not a stuck statement.
 * The connection's previous value is put back afterwards (under `withStartupLock` that is none).
 */
export async function migrateToLatest(
  db: Kysely<unknown>,
  migrations: Record<string, Migration>,
  historyTable: string,
): Promise<string[]> {
  if (databaseKind(db) !== 'postgres') return migrate(db, migrations, historyTable)
  return db.connection().execute(async (connection) => {
    const { rows } = await sql<{
      previous: string
    }>`select current_setting('statement_timeout') as previous`.execute(connection)
    const previous = rows[0]?.previous
    await sql`select set_config('statement_timeout', '0', false)`.execute(connection)
    try {
      return await migrate(connection, migrations, historyTable)
    } finally {
      const restore =
        previous === undefined
          ? sql`reset statement_timeout`
          : sql`select set_config('statement_timeout', ${previous}, false)`
      await restore.execute(connection).catch(() => {})
    }
  })
}

async function migrate(
  db: Kysely<unknown>,
  migrations: Record<string, Migration>,
  historyTable: string,
): Promise<string[]> {
  // Kysely looks for its history table in every schema unless told which one: a second schema in
  // the same database would find the first one's and never create its own.
  const schema = databaseKind(db) === 'postgres' ? await currentSchema(db) : undefined
  await refuseNewerSchema(db, migrations, historyTable, schema)
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
    ...(schema === undefined ? {} : { migrationTableSchema: schema }),
  })
  const { error, results } = await migrator.migrateToLatest()
  if (error !== undefined) {
    const failed = results?.find((result) => result.status === 'Error')
    const reason = error instanceof Error ? error.message : String(error)
    throw new Error(`database migration ${failed?.migrationName ?? ''} failed: ${reason}`, {
      cause: error,
    })
  }
  return (results ?? [])
    .filter((result) => result.status === 'Success')
    .map((result) => result.migrationName)
}

async function currentSchema(db: Kysely<unknown>): Promise<string> {
  const { rows } = await sql<{ schema: string }>`select current_schema() as schema`.execute(db)
  const schema = rows[0]?.schema
  // null when search_path names no schema that exists: nothing could be created there.
  if (typeof schema !== 'string') {
    throw new Error('the database connection has no current schema: check search_path')
  }
  return schema
}

/** Throws `SchemaTooNewError` when `historyTable` records a migration `migrations` lacks. */
async function refuseNewerSchema(
  db: Kysely<unknown>,
  migrations: Record<string, Migration>,
  historyTable: string,
  schema: string | undefined,
): Promise<void> {
  const tables = await db.introspection.getTables({ withInternalKyselyTables: true })
  const exists = tables.some(
    (table) => table.name === historyTable && (schema === undefined || table.schema === schema),
  )
  if (!exists) return
  const history = db as Kysely<Record<string, { name: string }>>
  const applied = await (schema === undefined ? history : history.withSchema(schema))
    .selectFrom(historyTable)
    .select('name')
    .execute()
  const unknown = applied.map((row) => row.name).filter((name) => !Object.hasOwn(migrations, name))
  if (unknown.length === 0) return
  throw new SchemaTooNewError(unknown.sort().at(-1) ?? '', Object.keys(migrations).sort().at(-1))
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
