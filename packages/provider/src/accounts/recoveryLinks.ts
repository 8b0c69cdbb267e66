import { randomBytes } from 'node:crypto'
import type { Kysely } from 'kysely'
import type { ProviderDatabase } from '../store/schema.ts'
import { verifiedEmailKey } from './emailVerification.ts'
import { secretHash } from './secretHash.ts'

/** How long a recovery link works. */
export const RECOVERY_LINK_LIFETIME_MS = 15 * 60 * 1000

/** A link's token: 32 random bytes in base64url, 43 characters. */
const TOKEN = /^[\w-]{43}$/

/** What a recovery link that was opened turned out to be. */
export type RecoveryLinkCheck =
  | { outcome: 'valid'; accountId: string; email: string | null }
  /** Never issued (mistyped, cut off, guessed), or voided when another link recovered the account. */
  | { outcome: 'unknown' }
  | { outcome: 'expired' }
  | { outcome: 'used' }
  /** Mailed to an address that is no longer the account's verified one. */
  | { outcome: 'void' }

/**
 * Account recovery's one-time links (see `createRecoveryLinks`). A link is
 * `<issuer>/recovery/link#<token>`: the token travels in the fragment, which browsers never send, so
 * it is in no request line, log or Referer; the page's script posts it.
 */
export interface RecoveryLinks {
  /**
   * A new link's token for the account, stored as its hash: `email` is the address it is mailed to
   * (it works only while that address is the account's verified one), null for an operator's link.
   */
  issue(accountId: string, email: string | null): Promise<{ token: string; expiresAt: string }>
  /** What `token` is, without spending it. */
  check(token: string): Promise<RecoveryLinkCheck>
  /**
   * Spends the account's link `token`, if it is still unused and unexpired, and voids the account's
   * other unused links, in one transaction: of two spends at once exactly one gets true.
   */
  spend(token: string, accountId: string): Promise<boolean>
  /** Makes a spent link usable again: its recovery could not be completed (the passkey was refused). */
  release(token: string): Promise<void>
}

/**
 * Creates the recovery links over the provider's database. A token is 256 random bits, stored only
 * as an HMAC under a server secret (`key`), the way email codes are (`secretHash`): a copy of the
 * database holds no link that works. Links are found by that hash, so no stored secret is compared
 * with a given one. `now` is the clock (tests move it).
 */
export function createRecoveryLinks(
  db: Kysely<ProviderDatabase>,
  key: string,
  now: () => number = Date.now,
): RecoveryLinks {
  const hmac = secretHash(key)
  const hash = (token: string) => hmac(token).toString('base64url')
  const at = () => new Date(now()).toISOString()

  return {
    async issue(accountId, email) {
      const token = randomBytes(32).toString('base64url')
      const expiresAt = new Date(now() + RECOVERY_LINK_LIFETIME_MS).toISOString()
      await db
        .insertInto('recovery_links')
        .values({
          token_hash: hash(token),
          account_id: accountId,
          email,
          expires_at: expiresAt,
          used_at: null,
          created_at: at(),
        })
        .execute()
      return { token, expiresAt }
    },

    async check(token) {
      if (!TOKEN.test(token)) return { outcome: 'unknown' }
      const row = await db
        .selectFrom('recovery_links')
        .innerJoin('accounts', 'accounts.id', 'recovery_links.account_id')
        .select([
          'recovery_links.account_id',
          'recovery_links.email',
          'recovery_links.expires_at',
          'recovery_links.used_at',
          'accounts.verified_email_key',
        ])
        .where('recovery_links.token_hash', '=', hash(token))
        .executeTakeFirst()
      if (row === undefined) return { outcome: 'unknown' }
      if (row.used_at !== null) return { outcome: 'used' }
      if (Date.parse(row.expires_at) <= now()) return { outcome: 'expired' }
      if (row.email !== null && row.verified_email_key !== verifiedEmailKey(row.email))
        return { outcome: 'void' }
      return { outcome: 'valid', accountId: row.account_id, email: row.email }
    },

    spend: (token, accountId) =>
      db.transaction().execute(async (trx) => {
        const time = at()
        // Each spend first locks the account's row (writing nothing new): two spends of two links of
        // one account at once then queue there, where otherwise each held its own link and waited
        // for the other's, to void it (PostgreSQL ends such a deadlock by failing one of them).
        await trx
          .updateTable('accounts')
          .set((eb) => ({ updated_at: eb.ref('updated_at') }))
          .where('id', '=', accountId)
          .execute()
        // The condition is part of the update: a second spend at once (PostgreSQL re-reads the row
        // once the first commits) updates nothing.
        const spent = await trx
          .updateTable('recovery_links')
          .set({ used_at: time })
          .where('token_hash', '=', hash(token))
          .where('account_id', '=', accountId)
          .where('used_at', 'is', null)
          .where('expires_at', '>', time)
          .executeTakeFirst()
        if (Number(spent.numUpdatedRows) !== 1) return false
        await trx
          .deleteFrom('recovery_links')
          .where('account_id', '=', accountId)
          .where('used_at', 'is', null)
          .execute()
        return true
      }),

    async release(token) {
      await db
        .updateTable('recovery_links')
        .set({ used_at: null })
        .where('token_hash', '=', hash(token))
        .execute()
    },
  }
}
