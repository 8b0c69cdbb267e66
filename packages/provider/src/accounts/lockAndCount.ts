import type { Transaction } from 'kysely'
import type { ProviderDatabase } from '../store/schema.ts'
import { lockAccount } from './lockAccount.ts'

/**
 * Takes the account's row lock (`lockAccount`) and counts its rows in `table`, for a per-account
 * bound checked before an insert in the same transaction: passkeys, approved apps. Under the lock,
 * two inserts at once cannot both count below the bound.
 */
export async function lockAndCount(
  trx: Transaction<ProviderDatabase>,
  accountId: string,
  table: 'passkeys' | 'consents',
): Promise<number> {
  await lockAccount(trx, accountId)
  const { n } = await trx
    .selectFrom(table)
    .select((eb) => eb.fn.countAll<number | bigint | string>().as('n'))
    .where('account_id', '=', accountId)
    .executeTakeFirstOrThrow()
  return Number(n)
}
