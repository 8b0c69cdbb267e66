import pg from 'pg'

/** How long a test waits for the server to accept a connection before failing. */
const CONNECT_TIMEOUT_MS = 5_000

/**
 * Connects to the tests' PostgreSQL server. A server that is not there fails the test with one line
 * saying how to start it, never a skip: a suite that silently ran nothing on PostgreSQL would pass.
 */
export async function connectTestPostgres(url: string): Promise<pg.Client> {
  const client = new pg.Client({
    connectionString: url,
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
  })
  // An error after connecting (the server restarted under the test) must not crash the worker.
  client.on('error', () => {})
  try {
    await client.connect()
    return client
  } catch (error) {
    await client.end().catch(() => {})
    throw new Error(describeUnreachable(url, error))
  }
}

/** The one line a test fails with when the server cannot be used, with what to do about it. */
function describeUnreachable(url: string, error: unknown): string {
  const shown = new URL(url)
  if (shown.password !== '') shown.password = '***'
  const code = (error as { code?: unknown }).code
  const todo =
    code === '3D000'
      ? `create the database: createdb -h ${shown.hostname} -U ${shown.username || 'postgres'} ${shown.pathname.slice(1)}`
      : 'start it with `pg_ctlcluster --skip-systemctl-redirect 15 main start` (.ci/run does it), or set PASSKEY_ID_TEST_POSTGRES_URL'
  return `PASSKEY_ID_TEST_DATABASE=postgres: cannot use PostgreSQL at ${shown.href} (${firstLine(error)}): ${todo}`
}

/** The first line of an error's message; Node's AggregateError (IPv4 and IPv6 refused) has none of its own. */
function firstLine(error: unknown): string {
  const inner = error instanceof AggregateError && error.message === '' ? error.errors[0] : error
  const message = inner instanceof Error ? inner.message : String(inner)
  return message.split('\n')[0] || 'no answer'
}
