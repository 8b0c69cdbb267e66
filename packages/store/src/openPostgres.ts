import { Kysely } from 'kysely'
import type pg from 'pg'
import { CurrentSchemaPostgresDialect } from './CurrentSchemaPostgresDialect.ts'

/** How a PostgreSQL pool is sized and bounded; every field has a default. */
export interface PostgresOptions {
  /** Connections at most (`DATABASE_POOL_SIZE`): instances × pool must stay under max_connections. */
  poolSize?: number
  /** Longest a statement may run before the server cancels it (error 57014). */
  statementTimeoutMs?: number
  /** Longest a new connection may take; without one, a server that never answers hangs a start. */
  connectTimeoutMs?: number
  /** Told when an idle connection breaks (the server restarted, or ended it); the pool replaces it. */
  onPoolError?: (error: Error) => void
}

const INT8_OID = 20

/**
 * `count(*)` and bigint columns come back from pg as strings. This pool alone parses them into
 * numbers: `pg.types` is never changed globally, because the Fastify plugin shares pg with its app.
 */
function poolTypes(types: typeof pg.types) {
  return {
    getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
      oid === INT8_OID
        ? (value: string) => Number(value)
        : types.getTypeParser(oid, format as 'text')) as typeof types.getTypeParser,
  }
}

/**
 * Opens a pool of connections to the PostgreSQL database `url` names (checked by
 * `parseDatabaseUrl`). Parameters in the URL, such as `options=-c search_path=...`, win over these.
 * pg is loaded with the first query, so that a server on SQLite never loads it (it is a
 * noticeable part of a start: bench/results.md, "Start-up").
 */
export function openPostgres<Schema>(url: string, options: PostgresOptions = {}): Kysely<Schema> {
  const openPool = async () => {
    const { default: pg } = await import('pg')
    const pool = new pg.Pool({
      connectionString: url,
      max: options.poolSize ?? 10,
      connectionTimeoutMillis: options.connectTimeoutMs ?? 5000,
      idleTimeoutMillis: 30_000,
      statement_timeout: options.statementTimeoutMs ?? 5000,
      // A transaction left open by a stalled request would hold its row locks: the server ends it.
      idle_in_transaction_session_timeout: 30_000,
      application_name: 'passkey-id',
      types: poolTypes(pg.types),
    })
    // Without a listener, an idle connection that breaks is an uncaught exception and ends the
    // process.
    const onError = options.onPoolError ?? (() => {})
    pool.on('error', onError)
    // The pool listens to a connection's errors only while it is idle. One that breaks while checked
    // out (its query already failed with the cause) emits 'error' with no listener, an uncaught
    // exception that ends the process (node-postgres issue 2386): seen when the network was cut.
    pool.on('connect', (client) => client.on('error', onError))
    return pool
  }
  return new Kysely<Schema>({ dialect: new CurrentSchemaPostgresDialect({ pool: openPool }) })
}
