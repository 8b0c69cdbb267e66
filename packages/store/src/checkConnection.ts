import { ConfigError } from '@passkey-id/runtime'
import { type Kysely, sql } from 'kysely'
import { describeConnectError } from './describeConnectError.ts'

/**
 * Runs one query at start, so that a wrong or unreachable `DATABASE_URL` stops the server with one
 * line naming it (a `ConfigError`) instead of failing at the first request.
 */
export async function checkConnection<Schema>(db: Kysely<Schema>, url: string): Promise<void> {
  try {
    await sql`select 1`.execute(db)
  } catch (error) {
    throw new ConfigError(describeConnectError(url, error), { cause: error })
  }
}
