import { mkdirSync } from 'node:fs'
import { dirname } from 'node:path'
import { Kysely, SqliteDialect } from 'kysely'
import { cacheStatements } from './cacheStatements.ts'
import { checkpointPeriodically } from './checkpointPeriodically.ts'
import { loadNodeSqlite } from './loadNodeSqlite.ts'
import { nodeSqliteDatabase } from './nodeSqliteDatabase.ts'
import { openPostgres, type PostgresOptions } from './openPostgres.ts'
import { parseDatabaseUrl } from './parseDatabaseUrl.ts'

/**
 * Twice the distinct SQL texts one provider runs (89 over its protocol and account-page tests,
 * migrations included), leaving room for queries whose `in (?, ...)` lists vary in length.
 */
const STATEMENT_CACHE_SIZE = 200

/**
 * How often SQLite's write-ahead log is copied into the database file, from another thread. A
 * sign-in writes some 60 log pages, so at a hundred sign-ins a second a tick copies a few thousand.
 */
const CHECKPOINT_INTERVAL_MS = 500

/**
 * The log's bound, in 4 KiB pages (64 MiB): should the timer fall behind, SQLite checkpoints itself
 * at this size (in a commit, as it does by default at 1,000 pages), and a log that grew past it is
 * cut back to it once checkpointed (`journal_size_limit`, in bytes).
 */
const WAL_LIMIT_PAGES = 16_384
const WAL_LIMIT_BYTES = WAL_LIMIT_PAGES * 4096

/** How the database is opened; only PostgreSQL's pool reads these (SQLite has one connection). */
export type DatabaseOptions = Pick<
  PostgresOptions,
  'poolSize' | 'statementTimeoutMs' | 'onPoolError'
>

/**
 * Opens the database that `DATABASE_URL` names: a PostgreSQL pool for a `postgres://` URL, else a
 * SQLite file, created with its folder on first use. Nothing is sent to PostgreSQL until the first
 * query (see `checkConnection`).
 *
 * SQLite is Node's built-in `node:sqlite`, so nothing is compiled at install. It runs in WAL mode
 * (readers never wait for the writer) with foreign keys enforced and a busy timeout, so a second
 * process on the same file waits instead of failing. Each SQL text is prepared once and reused.
 *
 * Durability: each commit is in the log before the write returns (synchronous = NORMAL), so a killed
 * process loses nothing it acknowledged. The log is fsynced at each checkpoint, every half second
 * here (`checkpointPeriodically`, in a thread of its own), so a power cut or an OS crash may lose the commits of the last
 * half second or so, where SQLite's default bound this by pages (a quiet server could go hours).
 */
export function openDatabase<Schema>(
  databaseUrl: string,
  options: DatabaseOptions = {},
): Kysely<Schema> {
  const location = parseDatabaseUrl(databaseUrl)
  if (location.kind === 'postgres') return openPostgres<Schema>(location.url, options)
  mkdirSync(dirname(location.filename), { recursive: true })
  const { DatabaseSync } = loadNodeSqlite()
  const sqlite = new DatabaseSync(location.filename)
  // Takes effect on a new file only (before its first table): freed pages can then be given back to
  // the file system with `pragma incremental_vacuum`, after expired rows are deleted.
  sqlite.exec('pragma auto_vacuum = INCREMENTAL')
  sqlite.exec('pragma journal_mode = WAL')
  sqlite.exec('pragma synchronous = NORMAL')
  sqlite.exec('pragma foreign_keys = ON')
  sqlite.exec('pragma busy_timeout = 5000')
  sqlite.exec(`pragma wal_autocheckpoint = ${WAL_LIMIT_PAGES}`)
  sqlite.exec(`pragma journal_size_limit = ${WAL_LIMIT_BYTES}`)
  const stopCheckpoints = checkpointPeriodically(location.filename, CHECKPOINT_INTERVAL_MS)
  const database = cacheStatements(nodeSqliteDatabase(sqlite), STATEMENT_CACHE_SIZE)
  return new Kysely<Schema>({
    dialect: new SqliteDialect({
      database: {
        prepare: database.prepare,
        close() {
          stopCheckpoints()
          database.close()
        },
      },
    }),
  })
}
