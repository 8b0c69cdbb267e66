/** The host name pg puts in a URL that has none, to parse it; never shown. */
const NO_HOST = '___DUMMY___'

/** A PostgreSQL URL taken apart: change `url`, then print it with `text()`. */
export interface PostgresUrl {
  url: URL
  /** The host it names, '' for none (a socket folder may then come in `?host=`). */
  host: string
  /** The URL as text again, as it was written where nothing was changed. */
  text(): string
}

/**
 * Parses a `postgres://` URL the way pg does, or returns null. `user:password@/database?host=...`
 * has no host for `new URL`, and pg reads it with a stand-in host: so does this.
 */
export function parsePostgresUrl(value: string): PostgresUrl | null {
  const direct = URL.parse(value)
  const url = direct ?? URL.parse(value.replace('@/', `@${NO_HOST}/`))
  if (url === null) return null
  return {
    url,
    host: url.hostname === NO_HOST ? '' : url.hostname,
    text: () => url.href.replace(`@${NO_HOST}/`, '@/'),
  }
}
