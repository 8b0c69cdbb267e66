import type { Kysely } from 'kysely'
import type { ProviderDatabase } from '../store/schema.ts'

/** Approvals that accounts gave to apps, kept until revoked so consent is asked once per scope. */
export interface ConsentStore {
  /** The scopes `accountId` allowed `clientId`, or an empty list. */
  scopesFor(accountId: string, clientId: string): Promise<string[]>
  /** Adds `scopes` to what `accountId` allowed `clientId`. */
  remember(accountId: string, clientId: string, scopes: Iterable<string>): Promise<void>
}

/** Creates the consent store over the provider's database. */
export function createConsentStore(db: Kysely<ProviderDatabase>): ConsentStore {
  const scopesFor = async (accountId: string, clientId: string) => {
    const row = await db
      .selectFrom('consents')
      .select('scopes')
      .where('account_id', '=', accountId)
      .where('client_id', '=', clientId)
      .executeTakeFirst()
    return row === undefined ? [] : row.scopes.split(' ').filter(Boolean)
  }
  return {
    scopesFor,
    async remember(accountId, clientId, scopes) {
      const merged = [...new Set([...(await scopesFor(accountId, clientId)), ...scopes])]
        .sort()
        .join(' ')
      const now = new Date().toISOString()
      await db
        .insertInto('consents')
        .values({
          account_id: accountId,
          client_id: clientId,
          scopes: merged,
          created_at: now,
          updated_at: now,
        })
        .onConflict((conflict) =>
          conflict
            .columns(['account_id', 'client_id'])
            .doUpdateSet({ scopes: merged, updated_at: now }),
        )
        .execute()
    },
  }
}
