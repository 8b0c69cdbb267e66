import { mkdirSync } from 'node:fs'
import { dirname } from 'node:path'
import SQLite from 'better-sqlite3'
import { Kysely, SqliteDialect } from 'kysely'
import { parseDatabaseUrl } from './parseDatabaseUrl.ts'

/**
 * Opens the database that `DATABASE_URL` names, creating the SQLite file and its folder on first use.
 *
 * SQLite runs in WAL mode (readers never wait for the writer) with foreign keys enforced and a busy
 * timeout, so a second process on the same file waits instead of failing.
 */
export function openDatabase<Schema>(databaseUrl: string): Kysely<Schema> {
  const location = parseDatabaseUrl(databaseUrl)
  mkdirSync(dirname(location.filename), { recursive: true })
  const sqlite = new SQLite(location.filename)
  sqlite.pragma('journal_mode = WAL')
  sqlite.pragma('synchronous = NORMAL')
  sqlite.pragma('foreign_keys = ON')
  sqlite.pragma('busy_timeout = 5000')
  return new Kysely<Schema>({ dialect: new SqliteDialect({ database: sqlite }) })
}
