import type { Kysely } from 'kysely'
import type { ProviderDatabase } from '../../src/store/schema.ts'

/**
 * Stores `count` approvals of other apps (`https://app<n>.example`) for the account directly, as
 * that many consents would have: for the tests of the bound on apps, which would otherwise need
 * hundreds of sign-ins.
 */
export async function storeApprovals(
  db: Kysely<ProviderDatabase>,
  accountId: string,
  count: number,
): Promise<void> {
  if (count <= 0) return
  const now = new Date().toISOString()
  await db
    .insertInto('consents')
    .values(
      Array.from({ length: count }, (_, i) => ({
        account_id: accountId,
        client_id: `https://app${i}.example`,
        scopes: 'openid',
        redirect_uris: `https://app${i}.example/cb`,
        created_at: now,
        updated_at: now,
      })),
    )
    .execute()
}
