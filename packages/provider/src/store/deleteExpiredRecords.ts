import type { Kysely } from 'kysely'
import { reclaimFreePages } from './reclaimFreePages.ts'
import type { ProviderDatabase } from './schema.ts'

/**
 * Deletes the protocol records (sessions, interactions, codes, tokens) rate-limit counters, email
 * verification codes and recovery links (used or not) that have expired, and the security events
 * older than `securityEventsDays` (SECURITY_EVENTS_DAYS), and returns how many protocol records
 * went. Expired records are already invisible to `find`, and an expired counter starts again at its
 * next count; this keeps the tables small, and the freed space goes back to the file system
 * (`reclaimFreePages`).
 */
export async function deleteExpiredRecords(
  db: Kysely<ProviderDatabase>,
  now = new Date(),
  securityEventsDays = 90,
): Promise<number> {
  const result = await db
    .deleteFrom('oidc_records')
    .where('expires_at', '<=', now.toISOString())
    .executeTakeFirst()
  await db.deleteFrom('rate_limit_counters').where('expires_at', '<=', now.toISOString()).execute()
  await db.deleteFrom('email_codes').where('expires_at', '<=', now.toISOString()).execute()
  await db.deleteFrom('recovery_links').where('expires_at', '<=', now.toISOString()).execute()
  const oldest = new Date(now.getTime() - securityEventsDays * 86_400_000).toISOString()
  await db.deleteFrom('security_events').where('created_at', '<', oldest).execute()
  await reclaimFreePages(db)
  return Number(result.numDeletedRows)
}
