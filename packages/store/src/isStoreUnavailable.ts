/**
 * PostgreSQL's SQLSTATE codes of a server that is going away or cannot take the query now:
 * admin_shutdown, crash_shutdown, cannot_connect_now (starting or stopping), query_canceled (the
 * pool's statement_timeout), too_many_connections. Class 08 (connection exception) is matched whole.
 */
const POSTGRES_UNAVAILABLE = new Set(['57P01', '57P02', '57P03', '57014', '53300'])

/** Node's network errors of a database server that is down, unreachable or cut off mid-query. */
const NETWORK_UNAVAILABLE = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
])

/**
 * pg's own errors, which carry no code: the pool waited `connectionTimeoutMillis` for a connection
 * ("timeout exceeded when trying to connect"), the server closed the socket ("Connection terminated
 * unexpectedly", "... due to connection timeout"), or a client already broken was used again.
 */
const PG_UNAVAILABLE_MESSAGE =
  /^(timeout exceeded when trying to connect|Connection terminated|Client has encountered a connection error|Client was closed)/

/** SQLite's primary result codes SQLITE_BUSY and SQLITE_LOCKED (extended codes keep them in the low byte). */
const SQLITE_BUSY = 5
const SQLITE_LOCKED = 6

/** How deep `cause` and `errors` are followed: a library wraps a driver's error once or twice. */
const MAX_DEPTH = 4

/**
 * Whether `error` means the database cannot answer right now (down, restarting, unreachable, out of
 * connections, too slow, or a SQLite file locked by another writer past the busy timeout), as
 * opposed to a query or data that is wrong. The one place that decides it: such a failure is
 * answered 503 with `Retry-After` (the request may succeed in a moment), never 500, and the
 * readiness check reports it. Follows `cause` and an AggregateError's `errors`, since oidc-provider,
 * Kysely and Node's happy-eyeballs connect may wrap the driver's error.
 */
export function isStoreUnavailable(error: unknown, depth = 0): boolean {
  if (!(error instanceof Error) || depth > MAX_DEPTH) return false
  const { code, errcode } = error as { code?: unknown; errcode?: unknown }
  if (typeof code === 'string' && isUnavailableCode(code)) return true
  if (typeof errcode === 'number' && isSqliteBusy(errcode)) return true
  if (PG_UNAVAILABLE_MESSAGE.test(error.message)) return true
  const nested = error instanceof AggregateError ? error.errors : []
  return [error.cause, ...nested].some((inner) => isStoreUnavailable(inner, depth + 1))
}

function isUnavailableCode(code: string): boolean {
  return (
    POSTGRES_UNAVAILABLE.has(code) || /^08[0-9A-Z]{3}$/.test(code) || NETWORK_UNAVAILABLE.has(code)
  )
}

function isSqliteBusy(errcode: number): boolean {
  const primary = errcode & 0xff
  return primary === SQLITE_BUSY || primary === SQLITE_LOCKED
}
