import { isAbsolute, resolve } from 'node:path'
import { ConfigError } from '@passkey-id/runtime'

/** Where the database lives, as understood from a `DATABASE_URL`. */
export type DatabaseLocation = { kind: 'sqlite'; filename: string }

/**
 * Reads a `DATABASE_URL` into a database location.
 *
 * Accepts `sqlite:<path>` (relative paths resolve against `cwd`), `sqlite:///<absolute path>`,
 * `file:<path>` and a bare file path. Throws a `ConfigError` whose message is one line a person can
 * act on, because it is shown as is when the server refuses to start.
 */
export function parseDatabaseUrl(url: string, cwd: string = process.cwd()): DatabaseLocation {
  const value = url.trim()
  if (value === '')
    throw new ConfigError(
      'DATABASE_URL is empty: give a SQLite file such as sqlite:./data/passkey-id.db',
    )
  if (/^postgres(ql)?:/i.test(value)) {
    throw new ConfigError(
      'DATABASE_URL: PostgreSQL is not supported yet; use a SQLite file such as sqlite:./data/passkey-id.db',
    )
  }
  const match = /^(sqlite|file):(\/\/)?(.*)$/i.exec(value)
  if (match === null && /^[a-z][a-z0-9+.-]*:\/\//i.test(value)) {
    throw new ConfigError(
      `DATABASE_URL: unknown database scheme in "${value}"; use sqlite:<path to a file>`,
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
