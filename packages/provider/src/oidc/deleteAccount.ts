import type { Kysely } from 'kysely'
import type { ProviderDatabase } from '../store/schema.ts'

/**
 * Deletes an account and everything about it: its sessions, grants, codes and tokens, its consents
 * and passkeys (removed with the account by the schema's cascades). Its passkeys then sign in to
 * nothing, and the tokens apps hold stop working at once.
 */
export async function deleteAccount(
  db: Kysely<ProviderDatabase>,
  accountId: string,
): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await trx.deleteFrom('oidc_records').where('account_id', '=', accountId).execute()
    await trx.deleteFrom('accounts').where('id', '=', accountId).execute()
  })
}
