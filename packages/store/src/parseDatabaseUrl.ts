import { isAbsolute, resolve } from 'node:path'
import { ConfigError } from '@passkey-id/runtime'
import { parsePostgresUrl } from './parsePostgresUrl.ts'

/** Where the database lives, as understood from a `DATABASE_URL`. */
export type DatabaseLocation =
  | { kind: 'sqlite'; filename: string }
  | { kind: 'postgres'; url: string }

/**
 * The `sslmode` values, with libpq's meanings: `disable` (no TLS), `prefer` and `require` (TLS, the
 * server not verified; `prefer` never falls back to plain text with pg), `verify-ca` (the chain,
 * against `sslrootcert`) and `verify-full` (the chain and the host name).
 */
const SSL_MODES = ['disable', 'prefer', 'require', 'verify-ca', 'verify-full'] as const

/**
 * Reads a `DATABASE_URL` into a database location.
 *
 * Accepts `postgres://` and `postgresql://` URLs, `sqlite:<path>` (relative paths resolve against
 * `cwd`), `sqlite:///<absolute path>`, `file:<path>` and a bare file path. Throws a `ConfigError`
 * whose message is one line a person can act on, because it is shown as is when the server refuses
 * to start; a password in the URL is never part of it.
 */
export function parseDatabaseUrl(url: string, cwd: string = process.cwd()): DatabaseLocation {
  const value = url.trim()
  if (value === '')
    throw new ConfigError(
      'DATABASE_URL is empty: give a SQLite file such as sqlite:./data/passkey-id.db or a postgres:// URL',
    )
  if (/^postgres(ql)?:/i.test(value)) return { kind: 'postgres', url: checkPostgresUrl(value) }
  const match = /^(sqlite|file):(\/\/)?(.*)$/i.exec(value)
  if (match === null && /^[a-z][a-z0-9+.-]*:\/\//i.test(value)) {
    throw new ConfigError(
      `DATABASE_URL: unknown database scheme in "${value}"; use sqlite:<path to a file> or postgres://user@host/database`,
    )
  }
  const path = match === null ? value : (match[3] ?? '')
  if (path === '' || path === ':memory:') {
    throw new ConfigError(
      'DATABASE_URL must name a file (an in-memory database would lose every account on restart)',
    )
  }
  return { kind: 'sqlite', filename: isAbsolute(path) ? path : resolve(cwd, path) }
}

/**
 * Checks what pg would otherwise take quietly or fail on later, and returns the URL pg should get:
 * with `uselibpqcompat=true` when it has an `sslmode`, so that the mode means what it means to psql
 * (pg 8 alone treats `require` as `verify-full`, and prints a warning of several lines).
 */
function checkPostgresUrl(value: string): string {
  const parsed = parsePostgresUrl(value)
  if (parsed === null) {
    throw new ConfigError(
      'DATABASE_URL is not a valid postgres:// URL: check the port, and %-encode special characters in the user name and password',
    )
  }
  const { url } = parsed
  if (parsed.host === '' && !url.searchParams.has('host')) {
    throw new ConfigError(
      'DATABASE_URL names no host: write postgres://user:password@host:5432/database',
    )
  }
  // Without one, pg would quietly use a database named after the user.
  if (url.pathname.replace(/^\//, '') === '') {
    throw new ConfigError(
      'DATABASE_URL names no database: write postgres://user:password@host:5432/database',
    )
  }
  const sslmode = url.searchParams.get('sslmode')
  if (sslmode === null) return value
  if (sslmode === 'no-verify') {
    throw new ConfigError(
      'DATABASE_URL: sslmode=no-verify is written sslmode=require here (TLS, the server not verified), as psql writes it',
    )
  }
  if (!isSslMode(sslmode)) {
    throw new ConfigError(
      `DATABASE_URL: sslmode must be one of ${SSL_MODES.join(', ')}, not "${sslmode}"`,
    )
  }
  if (sslmode === 'verify-ca' && !url.searchParams.has('sslrootcert')) {
    throw new ConfigError(
      'DATABASE_URL: sslmode=verify-ca needs sslrootcert=<path to the CA certificate>; for a public CA use sslmode=verify-full',
    )
  }
  url.searchParams.set('uselibpqcompat', 'true')
  return parsed.text()
}

function isSslMode(value: string): value is (typeof SSL_MODES)[number] {
  return (SSL_MODES as readonly string[]).includes(value)
}
