import type { Kysely } from 'kysely'
import type { ProviderDatabase } from './schema.ts'

/** The ids of every Grant record that belongs to `accountId`. */
export async function grantIdsOfAccount(
  db: Kysely<ProviderDatabase>,
  accountId: string,
): Promise<string[]> {
  const rows = await db
    .selectFrom('oidc_records')
    .select('id')
    .where('model', '=', 'Grant')
    .where('account_id', '=', accountId)
    .execute()
  return rows.map((row) => row.id)
}

/**
 * Deletes the grants `grantIds` and every code and token issued under them, in one transaction, so
 * an app never keeps a token whose grant is gone.
 */
export async function deleteGrants(
  db: Kysely<ProviderDatabase>,
  grantIds: readonly string[],
): Promise<void> {
  if (grantIds.length === 0) return
  await db.transaction().execute(async (trx) => {
    await trx.deleteFrom('oidc_records').where('grant_id', 'in', grantIds).execute()
    await trx
      .deleteFrom('oidc_records')
      .where('model', '=', 'Grant')
      .where('id', 'in', grantIds)
      .execute()
  })
}
