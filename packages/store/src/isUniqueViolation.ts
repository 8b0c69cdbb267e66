/** SQLite's extended result code for a UNIQUE constraint failure (`SQLITE_CONSTRAINT_UNIQUE`). */
const SQLITE_CONSTRAINT_UNIQUE = 2067

/** PostgreSQL's SQLSTATE for `unique_violation` (also raised for a duplicate primary key). */
const PG_UNIQUE_VIOLATION = '23505'

/**
 * Whether `error` is the database refusing a duplicate value in the unique column `column`, written
 * `table.column` (for example `accounts.username_key`), on SQLite or PostgreSQL.
 *
 * node:sqlite reports every SQLite failure with the code `ERR_SQLITE_ERROR` and puts SQLite's own
 * result code in `errcode`; the message lists the columns of the violated constraint. pg gives
 * PostgreSQL's SQLSTATE in `code`, the table in `table`, and the columns in `detail`
 * (`Key (a, b)=(1, 2) already exists.`).
 */
export function isUniqueViolation(error: unknown, column: string): boolean {
  if (!(error instanceof Error)) return false
  const { errcode, code, table, detail } = error as {
    errcode?: unknown
    code?: unknown
    table?: unknown
    detail?: unknown
  }
  if (errcode === SQLITE_CONSTRAINT_UNIQUE) {
    const columns = /^UNIQUE constraint failed: (.*)$/.exec(error.message)?.[1]?.split(', ')
    return columns?.includes(column) ?? false
  }
  if (code === PG_UNIQUE_VIOLATION && typeof table === 'string' && typeof detail === 'string') {
    const names = /^Key \(([^)]*)\)=/.exec(detail)?.[1]?.split(', ')
    return names?.map((name) => `${table}.${name}`).includes(column) ?? false
  }
  return false
}
