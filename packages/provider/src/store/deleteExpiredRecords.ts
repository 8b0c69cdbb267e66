import type { Kysely } from 'kysely'
import type { ProviderDatabase } from './schema.ts'

/**
 * Deletes the protocol records (sessions, interactions, codes, tokens) that have expired, and
 * returns how many went. Expired records are already invisible to `find`; this keeps the table small.
 */
export async function deleteExpiredRecords(
  db: Kysely<ProviderDatabase>,
  now = new Date(),
): Promise<number> {
  const result = await db
    .deleteFrom('oidc_records')
    .where('expires_at', '<=', now.toISOString())
    .executeTakeFirst()
  return Number(result.numDeletedRows)
}
