/** The machine's PostgreSQL 15 as CI sets it up: trust authentication, user postgres, database `test`. */
const DEFAULT_TEST_POSTGRES_URL = 'postgres://postgres@127.0.0.1:5432/test'

/**
 * The PostgreSQL database the tests make their schemas in: `PASSKEY_ID_TEST_POSTGRES_URL`, so a
 * developer can point the suites at another server, or the machine's own.
 */
export function testPostgresUrl(env: NodeJS.ProcessEnv = process.env): string {
  return env.PASSKEY_ID_TEST_POSTGRES_URL || DEFAULT_TEST_POSTGRES_URL
}
