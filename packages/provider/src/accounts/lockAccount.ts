import type { Transaction } from 'kysely'
import type { ProviderDatabase } from '../store/schema.ts'

/**
 * Takes the account's row lock for the rest of the transaction (an update that changes nothing; on
 * SQLite, the write lock). A second transaction on the same account waits here, so a count it makes
 * afterwards sees this one's change: what keeps a per-account bound (passkeys, approved apps, the
 * last passkey) when two requests, or two instances, change the account at once. Without it each
 * would count in its own snapshot on PostgreSQL, and both pass.
 */
export async function lockAccount(
  trx: Transaction<ProviderDatabase>,
  accountId: string,
): Promise<void> {
  await trx
    .updateTable('accounts')
    .set((eb) => ({ updated_at: eb.ref('updated_at') }))
    .where('id', '=', accountId)
    .execute()
}
