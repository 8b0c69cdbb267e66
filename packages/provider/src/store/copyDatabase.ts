import { statSync } from 'node:fs'
import { ConfigError } from '@passkey-id/runtime'
import {
  type DatabaseLocation,
  migrateToLatest,
  openDatabase,
  parseDatabaseUrl,
  SchemaTooNewError,
} from '@passkey-id/store'
import { type Kysely, type SelectQueryBuilder, sql } from 'kysely'
import { providerMigrations } from './migrations/index.ts'
import { openProviderStore } from './openProviderStore.ts'
import type { ProviderDatabase } from './schema.ts'

/**
 * The provider's tables `db copy` copies, in foreign-key order (a passkey's, a consent's, a
 * security event's or an email code's account comes first). The migration history is not among
 * them: the target's own migrations write it. Nor are recovery links: each works once, and a copy
 * would make a link used on the old database unused on the new one; they live 15 minutes, and a
 * person whose link stopped working asks for another.
 */
export const COPIED_TABLES = [
  'accounts',
  'email_codes',
  'passkeys',
  'consents',
  'security_events',
  'signing_keys',
  'secrets',
  'oidc_records',
] as const satisfies readonly (keyof ProviderDatabase)[]

type TableName = (typeof COPIED_TABLES)[number]

/**
 * Rows per multi-row insert: `accounts` has 25 columns, so 12,500 parameters, under PostgreSQL's
 * 65,535 per statement.
 */
const BATCH_ROWS = 500

/** The provider's migration history table, which only a passkey-id database has. */
const HISTORY_TABLE = 'provider_migrations'

/** What a copy wrote. */
export interface CopyReport {
  /** Rows copied, per table, in the order they were copied. */
  copied: { table: TableName; rows: number }[]
  /** Protocol records (codes, sessions, tokens) left behind because they had expired. */
  expired: number
}

/** Any table's rows, for the loop that copies them all alike. */
type AnyTables = Record<string, Record<string, unknown>>

/**
 * Copies the provider's SQLite database at `from` into the empty PostgreSQL database of
 * `databaseUrl`, so that someone who started with `npm start` keeps their accounts, passkeys,
 * consents, signing keys and the pairwise salt (so every app's `sub`) when they move to PostgreSQL.
 *
 * The source is first migrated as a start would; the target is migrated and filled under the
 * start-up lock, so no instance starting meanwhile creates keys of its own, and filled in one
 * transaction, which is refused when any table already has a row and rolled back when the counts
 * differ. Values are copied byte for byte, so secrets sealed under ENCRYPTION_KEY stay valid under
 * the same key. Expired protocol records are left behind. Every refusal is a `ConfigError` of one
 * line; nothing is written to the target before the checks pass.
 */
export async function copyDatabase(
  from: string,
  databaseUrl: string,
  now: Date = new Date(),
): Promise<CopyReport> {
  const filename = sourceFile(from)
  targetIsPostgres(databaseUrl)
  const source = openSource(filename)
  try {
    await hasProviderHistory(source, filename)
    await migrateToLatest(source as Kysely<unknown>, providerMigrations, HISTORY_TABLE).catch(
      (error: unknown) => {
        if (error instanceof SchemaTooNewError)
          throw new ConfigError(`--from ${filename}: ${error.message}`)
        throw error
      },
    )
    let report: CopyReport | undefined
    const target = await openProviderStore(databaseUrl, {
      poolSize: 1,
      atStart: async (locked) => {
        report = await source
          .transaction()
          .execute((snapshot) => copyAllTables(snapshot, locked, now.toISOString()))
      },
    })
    await target.destroy()
    if (report === undefined) throw new Error('the copy did not run')
    return report
  } finally {
    await source.destroy()
  }
}

/** The SQLite file `--from` names, which must exist: opening a missing one would create it. */
function sourceFile(from: string): string {
  if (from.trim() === '') {
    throw new ConfigError(
      '--from is empty: give the SQLite file the provider ran on, such as sqlite:./data/passkey-id.db',
    )
  }
  let location: DatabaseLocation
  try {
    location = parseDatabaseUrl(from)
  } catch (error) {
    if (error instanceof ConfigError)
      throw new ConfigError(error.message.replace(/^DATABASE_URL/, '--from'))
    throw error
  }
  if (location.kind !== 'sqlite') {
    throw new ConfigError(
      '--from names a PostgreSQL database: db copy copies from a SQLite file (--from sqlite:./data/passkey-id.db) into the PostgreSQL database of DATABASE_URL',
    )
  }
  const stats = statSync(location.filename, { throwIfNoEntry: false })
  if (stats === undefined || !stats.isFile()) {
    throw new ConfigError(`--from: there is no file at ${location.filename}`)
  }
  return location.filename
}

/**
 * Copying into another SQLite file is refused: a SQLite database is one file, which a person copies
 * with the provider stopped; this command exists to move to PostgreSQL.
 */
function targetIsPostgres(databaseUrl: string): void {
  if (parseDatabaseUrl(databaseUrl).kind !== 'postgres') {
    throw new ConfigError(
      'DATABASE_URL names a SQLite file: set it to the empty PostgreSQL database to copy into (postgres://user@host:5432/database); to move a SQLite database elsewhere, stop the provider and copy the file',
    )
  }
}

/** Opens the source file, refusing one SQLite cannot read in one line. */
function openSource(filename: string): Kysely<ProviderDatabase> {
  try {
    return openDatabase<ProviderDatabase>(filename)
  } catch (error) {
    throw unreadable(filename, error)
  }
}

/** Refuses a SQLite file that holds no passkey-id database, or one SQLite cannot read. */
async function hasProviderHistory(db: Kysely<ProviderDatabase>, filename: string): Promise<void> {
  const found = await sql<{
    name: string
  }>`select name from sqlite_master where type = 'table' and name = ${HISTORY_TABLE}`
    .execute(db)
    .catch((error: unknown) => {
      throw unreadable(filename, error)
    })
  if (found.rows.length === 0) {
    throw new ConfigError(
      `--from ${filename} holds no passkey-id database (no ${HISTORY_TABLE} table): name the file DATABASE_URL named when the provider ran on SQLite`,
    )
  }
}

function unreadable(filename: string, error: unknown): ConfigError {
  const reason = error instanceof Error ? error.message : String(error)
  return new ConfigError(`--from ${filename} cannot be read as a SQLite database: ${reason}`)
}

/** In one transaction on the target: refuse a table with rows, copy every table, compare counts. */
function copyAllTables(
  source: Kysely<ProviderDatabase>,
  target: Kysely<ProviderDatabase>,
  nowIso: string,
): Promise<CopyReport> {
  return target.transaction().execute(async (trx) => {
    await refuseRows(trx)
    const from = source as unknown as Kysely<AnyTables>
    const into = trx as unknown as Kysely<AnyTables>
    const report: CopyReport = { copied: [], expired: 0 }
    for (const table of COPIED_TABLES) {
      const rows = await copyTable(from, into, table, nowIso)
      const held = await count(into.selectFrom(table))
      if (held !== rows) {
        throw new Error(
          `db copy: ${table} has ${rows} rows to copy, but ${held} arrived; nothing was changed`,
        )
      }
      report.copied.push({ table, rows })
    }
    report.expired =
      (await count(from.selectFrom('oidc_records'))) - (report.copied.at(-1)?.rows ?? 0)
    return report
  })
}

/**
 * Streams one table's rows (of `oidc_records`, those not expired at `nowIso`) into the target in
 * multi-row inserts of `BATCH_ROWS`, and returns how many the source holds.
 */
async function copyTable(
  from: Kysely<AnyTables>,
  into: Kysely<AnyTables>,
  table: TableName,
  nowIso: string,
): Promise<number> {
  const rows = () => {
    const all = from.selectFrom(table)
    return table === 'oidc_records'
      ? all.where((where) =>
          where.or([where('expires_at', 'is', null), where('expires_at', '>', nowIso)]),
        )
      : all
  }
  let batch: Record<string, unknown>[] = []
  const flush = async () => {
    if (batch.length > 0) await into.insertInto(table).values(batch).execute()
    batch = []
  }
  for await (const row of rows().selectAll().stream()) {
    batch.push({ ...row })
    if (batch.length === BATCH_ROWS) await flush()
  }
  await flush()
  return count(rows())
}

/** The target must be empty: a copy never merges into, or overwrites, a database in use. */
async function refuseRows(db: Kysely<ProviderDatabase>): Promise<void> {
  for (const table of COPIED_TABLES) {
    const row = await (db as unknown as Kysely<AnyTables>)
      .selectFrom(table)
      .select(sql`1`.as('one'))
      .limit(1)
      .executeTakeFirst()
    if (row !== undefined) {
      throw new ConfigError(
        `the database of DATABASE_URL is not empty (${table} has rows): db copy copies only into an empty database; nothing was changed`,
      )
    }
  }
}

/** How many rows a query's table and conditions select. */
async function count(rows: SelectQueryBuilder<AnyTables, string, object>): Promise<number> {
  const row = await rows.select((eb) => eb.fn.countAll().as('rows')).executeTakeFirstOrThrow()
  return Number(row.rows)
}
