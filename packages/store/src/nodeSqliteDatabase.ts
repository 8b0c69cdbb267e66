import type { DatabaseSync, SQLInputValue, StatementSync } from 'node:sqlite'
import type { SqliteDatabase, SqliteStatement } from 'kysely'

/**
 * Presents a `node:sqlite` database as the better-sqlite3-shaped object Kysely's `SqliteDialect`
 * drives, so Kysely runs on Node's built-in SQLite with no native module to compile.
 *
 * Each `prepare` compiles a new statement: wrap the result in `cacheStatements` to reuse them.
 * Rows come back as node:sqlite makes them: integers as numbers, blobs as `Uint8Array`.
 */
export function nodeSqliteDatabase(database: DatabaseSync): SqliteDatabase {
  return {
    prepare: (sql) => statement(database.prepare(sql)),
    close: () => database.close(),
  }
}

/** Kysely's view of one node:sqlite statement. */
function statement(prepared: StatementSync): SqliteStatement {
  // Kysely passes the parameters as one array, as better-sqlite3 takes them; node:sqlite takes
  // them as separate arguments.
  type Parameters = SQLInputValue[]
  return {
    // Kysely reads rows from statements that return columns (a select, or a write with
    // `returning`) and runs the others for their change count, as better-sqlite3's `reader` tells.
    // `columns()` is there from Node 22.16.
    reader: prepared.columns().length > 0,
    all: (parameters) => prepared.all(...(parameters as Parameters)),
    run: (parameters) => prepared.run(...(parameters as Parameters)),
    iterate: (parameters) => prepared.iterate(...(parameters as Parameters)),
  }
}
