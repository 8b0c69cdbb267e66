import type { Insertable, Kysely } from 'kysely'
import { lockAndCount } from '../../accounts/lockAndCount.ts'
import type { ConsentsTable, ProviderDatabase } from '../../store/schema.ts'

/** Approvals that accounts gave to apps, kept until revoked so consent is asked once per scope. */
export interface ConsentStore {
  /** The scopes `accountId` allowed `clientId`, or an empty list. */
  scopesFor(accountId: string, clientId: string): Promise<string[]>
  /**
   * Adds `scopes` to what `accountId` allowed `clientId`, and `redirectUri` (the destination the
   * consent page named) to the approved destinations; approvals made at once all count. False, and
   * nothing stored, when `clientId` would be a new app for an account that allows
   * `APPS_PER_ACCOUNT` already.
   */
  remember(
    accountId: string,
    clientId: string,
    scopes: Iterable<string>,
    redirectUri?: string,
  ): Promise<boolean>
  /**
   * The redirect URIs `accountId` allowed `clientId` to receive sign-ins at (each named on a consent
   * page), the most recent last, at most `APPROVED_REDIRECTS_KEPT`; an empty list if none.
   */
  redirectUrisFor(accountId: string, clientId: string): Promise<string[]>
  /** Every app `accountId` allowed, most recently approved first. */
  list(accountId: string): Promise<ApprovedApp[]>
  /** Forgets what `accountId` allowed `clientId`; false if it had allowed nothing. See `revokeConsent`. */
  forget(accountId: string, clientId: string): Promise<boolean>
}

/** An app an account allowed, and what it may see. */
export interface ApprovedApp {
  clientId: string
  scopes: string[]
  /** ISO-8601 time of the first approval. */
  approvedAt: string
}

/**
 * The most apps one account allows: far more than a person uses, and a bound on what the account
 * page lists and what each account keeps.
 */
export const APPS_PER_ACCOUNT = 500

/** Tries of `remember` against approvals of the same app written at the same moment. */
const REMEMBER_ATTEMPTS = 10

/** Approved redirect URIs kept per account and app: the oldest approval goes first. */
export const APPROVED_REDIRECTS_KEPT = 20

/**
 * The approved redirect URIs after approving `redirectUri`: it moves to the end, and the list keeps
 * its last `APPROVED_REDIRECTS_KEPT`. Stored space-separated: a URI has no space (RFC 3986).
 */
function withRedirectUri(stored: string, redirectUri: string | undefined): string {
  const uris = stored.split(' ').filter((uri) => uri !== '' && uri !== redirectUri)
  if (redirectUri !== undefined) uris.push(redirectUri)
  return uris.slice(-APPROVED_REDIRECTS_KEPT).join(' ')
}

/**
 * Stores the first approval of an app by an account, unless the account allows `APPS_PER_ACCOUNT`
 * apps already (`full`), counted under the account's row lock so approvals at once cannot pass the
 * bound. `conflict` when the same app's approval was stored meanwhile: read it and merge.
 */
async function insertApproval(
  db: Kysely<ProviderDatabase>,
  approval: Insertable<ConsentsTable>,
): Promise<'inserted' | 'conflict' | 'full'> {
  return db.transaction().execute(async (trx) => {
    if ((await lockAndCount(trx, approval.account_id, 'consents')) >= APPS_PER_ACCOUNT)
      return 'full'
    const result = await trx
      .insertInto('consents')
      .values(approval)
      .onConflict((conflict) => conflict.columns(['account_id', 'client_id']).doNothing())
      .executeTakeFirst()
    return (result.numInsertedOrUpdatedRows ?? 0n) > 0n ? 'inserted' : 'conflict'
  })
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
    async remember(accountId, clientId, scopes, redirectUri) {
      const adding = [...scopes]
      // Compare-and-set: the merge is written only over the scopes it was made from. Another
      // instance approving other scopes of the same app at the same moment makes this one read
      // again and merge with those, instead of overwriting them.
      for (let attempt = 0; attempt < REMEMBER_ATTEMPTS; attempt++) {
        const row = await db
          .selectFrom('consents')
          .select(['scopes', 'redirect_uris'])
          .where('account_id', '=', accountId)
          .where('client_id', '=', clientId)
          .executeTakeFirst()
        const redirectUris = withRedirectUri(row?.redirect_uris ?? '', redirectUri)
        const merged = [...new Set([...(row?.scopes.split(' ') ?? []), ...adding])]
          .filter(Boolean)
          .sort()
          .join(' ')
        const now = new Date().toISOString()
        if (row === undefined) {
          const inserted = await insertApproval(db, {
            account_id: accountId,
            client_id: clientId,
            scopes: merged,
            redirect_uris: redirectUris,
            created_at: now,
            updated_at: now,
          })
          if (inserted !== 'conflict') return inserted === 'inserted'
          continue
        }
        const updated = await db
          .updateTable('consents')
          .set({ scopes: merged, redirect_uris: redirectUris, updated_at: now })
          .where('account_id', '=', accountId)
          .where('client_id', '=', clientId)
          .where('scopes', '=', row.scopes)
          .where('redirect_uris', '=', row.redirect_uris)
          .executeTakeFirst()
        if (updated.numUpdatedRows > 0n) return true
      }
      throw new Error(`consent for ${clientId} kept changing under ${REMEMBER_ATTEMPTS} attempts`)
    },

    async redirectUrisFor(accountId, clientId) {
      const row = await db
        .selectFrom('consents')
        .select('redirect_uris')
        .where('account_id', '=', accountId)
        .where('client_id', '=', clientId)
        .executeTakeFirst()
      return row === undefined ? [] : row.redirect_uris.split(' ').filter(Boolean)
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

    async forget(accountId, clientId) {
      const forgotten = await db
        .deleteFrom('consents')
        .where('account_id', '=', accountId)
        .where('client_id', '=', clientId)
        .executeTakeFirst()
      return forgotten.numDeletedRows > 0n
    },
  }
}
