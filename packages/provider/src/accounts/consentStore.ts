import type { Kysely } from 'kysely'
import type { ProviderDatabase } from '../store/schema.ts'

/** Approvals that accounts gave to apps, kept until revoked so consent is asked once per scope. */
export interface ConsentStore {
  /** The scopes `accountId` allowed `clientId`, or an empty list. */
  scopesFor(accountId: string, clientId: string): Promise<string[]>
  /** Adds `scopes` to what `accountId` allowed `clientId`. */
  remember(accountId: string, clientId: string, scopes: Iterable<string>): Promise<void>
  /** Every app `accountId` allowed, most recently approved first. */
  list(accountId: string): Promise<ApprovedApp[]>
  /**
   * Takes back what `accountId` allowed `clientId`: the consent, the grants and every code and token
   * issued under them, so the app's tokens stop working and its next sign-in asks again.
   * Returns false if there was nothing to revoke.
   */
  revoke(accountId: string, clientId: string): Promise<boolean>
}

/** An app an account allowed, and what it may see. */
export interface ApprovedApp {
  clientId: string
  scopes: string[]
  /** ISO-8601 time of the first approval. */
  approvedAt: string
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

    async list(accountId) {
      const rows = await db
        .selectFrom('consents')
        .select(['client_id', 'scopes', 'created_at'])
        .where('account_id', '=', accountId)
        .orderBy('updated_at', 'desc')
        .execute()
      return rows.map((row) => ({
        clientId: row.client_id,
        scopes: row.scopes.split(' ').filter(Boolean),
        approvedAt: row.created_at,
      }))
    },

    revoke: (accountId, clientId) =>
      db.transaction().execute(async (trx) => {
        const grants = await trx
          .selectFrom('oidc_records')
          .select(['id', 'payload'])
          .where('model', '=', 'Grant')
          .where('account_id', '=', accountId)
          .execute()
        const grantIds = grants
          .filter(
            (grant) => (JSON.parse(grant.payload) as { clientId?: string }).clientId === clientId,
          )
          .map((grant) => grant.id)
        if (grantIds.length > 0) {
          await trx.deleteFrom('oidc_records').where('grant_id', 'in', grantIds).execute()
          await trx
            .deleteFrom('oidc_records')
            .where('model', '=', 'Grant')
            .where('id', 'in', grantIds)
            .execute()
        }
        const forgotten = await trx
          .deleteFrom('consents')
          .where('account_id', '=', accountId)
          .where('client_id', '=', clientId)
          .executeTakeFirst()
        return forgotten.numDeletedRows > 0n || grantIds.length > 0
      }),
  }
}
