import type { SqliteDatabase, SqliteStatement } from 'kysely'

/**
 * Wraps a SQLite database so that each SQL text is prepared once and its statement reused, keeping
 * the `limit` most recently used statements.
 *
 * Kysely asks its SQLite database to prepare the statement of every query it runs, and preparing
 * (parsing and planning the SQL) costs more than running the small queries a sign-in makes. The
 * provider runs under a hundred distinct SQL texts, so a bound of a few hundred keeps them all, while
 * queries built with a varying number of parameters (`in (?, ?, ...)`) cannot grow it without end.
 * Reuse is safe because Kysely runs one query at a time on its single SQLite connection.
 */
export function cacheStatements(database: SqliteDatabase, limit: number): SqliteDatabase {
  const statements = new Map<string, SqliteStatement>()
  return {
    prepare(sql) {
      const cached = statements.get(sql)
      if (cached !== undefined) {
        // A Map keeps insertion order: moving a used statement to the end makes the first entry
        // the least recently used, the one to drop when the cache is full.
        statements.delete(sql)
        statements.set(sql, cached)
        return cached
      }
      const prepared = database.prepare(sql)
      statements.set(sql, prepared)
      if (statements.size > limit) {
        const oldest = statements.keys().next().value
        if (oldest !== undefined) statements.delete(oldest)
      }
      return prepared
    },
    close() {
      statements.clear()
      database.close()
    },
  }
}
