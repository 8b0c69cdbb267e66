import type { Kysely } from 'kysely'
import type { ProviderDatabase } from '../store/schema.ts'
import type { SecurityEventKind } from './recordSecurityEvent.ts'

/** A stored security event, as the account page shows it. */
export interface StoredSecurityEvent {
  kind: SecurityEventKind
  ip: string
  clientId: string | null
  /** ISO-8601. */
  at: string
}

/**
 * The account's last `limit` security events, newest first, for its owner's "Recent activity":
 * this account's rows only, so nobody sees where other people came from.
 */
export async function listSecurityEvents(
  db: Kysely<ProviderDatabase>,
  accountId: string,
  limit: number,
): Promise<StoredSecurityEvent[]> {
  const rows = await db
    .selectFrom('security_events')
    .select(['kind', 'ip', 'client_id', 'created_at'])
    .where('account_id', '=', accountId)
    .orderBy('seq', 'desc')
    .limit(limit)
    .execute()
  return rows.map((row) => ({
    kind: row.kind as SecurityEventKind,
    ip: row.ip,
    clientId: row.client_id,
    at: row.created_at,
  }))
}
