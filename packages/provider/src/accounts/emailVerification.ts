import { randomInt, timingSafeEqual } from 'node:crypto'
import { isUniqueViolation } from '@passkey-id/store'
import type { Kysely } from 'kysely'
import type { ProviderDatabase } from '../store/schema.ts'
import { secretHash } from './secretHash.ts'

/** How long a code works. */
export const CODE_LIFETIME_MS = 10 * 60 * 1000

/** Wrong codes a code survives; at this many it is void. */
export const CODE_ATTEMPTS = 5

/** What a code that was typed in turned out to be. */
export type CodeCheck =
  | { outcome: 'verified' }
  | { outcome: 'none' }
  | { outcome: 'expired' }
  | { outcome: 'wrong'; attemptsLeft: number }
  /** The code was right, but another account has this address verified already. */
  | { outcome: 'taken' }

/** An account's code that is waiting to be typed in, for the page to offer the field. */
export interface PendingCode {
  email: string
  expiresAt: string
}

/**
 * Email verification: 6-digit codes mailed to an account's address. A code is stored only as an
 * HMAC under a server secret (`key`, from `getOrCreateSecret`), over the account, the address and
 * the code: a copy of the database cannot be brute-forced offline, and a code made for one account
 * or address verifies no other. An account has one code at a time (a new one replaces it); a code
 * works once, for `CODE_LIFETIME_MS`, and is void after `CODE_ATTEMPTS` wrong tries. A verified
 * address belongs to one account only: the unique index on `verified_email_key` decides.
 */
export interface EmailVerification {
  /** A new random code, 6 digits, for the caller to mail before `saveSentCode`. */
  newCode(): string
  /**
   * Saves `email` as the account's address (resetting its verification when it changes) and `code`
   * as its pending code, in one transaction: called once the code is mailed, so a code that could not
   * be sent is never stored, and an address is saved only with a code on its way.
   */
  saveSentCode(accountId: string, email: string, code: string): Promise<void>
  /** Checks a code typed in, spending it when right, counting it when wrong. */
  check(accountId: string, typed: string): Promise<CodeCheck>
  /** The account's pending code for its current address, if one is still good. */
  pending(accountId: string): Promise<PendingCode | undefined>
}

/** Creates the email verification over the provider's database; `now` is the clock (tests move it). */
export function createEmailVerification(
  db: Kysely<ProviderDatabase>,
  key: string,
  now: () => number = Date.now,
): EmailVerification {
  const hmac = secretHash(key)
  const hash = (accountId: string, email: string, code: string) =>
    hmac(`${accountId}\n${email}\n${code}`)

  return {
    newCode: () => String(randomInt(0, 1_000_000)).padStart(6, '0'),

    async saveSentCode(accountId, email, code) {
      const at = new Date(now()).toISOString()
      await db.transaction().execute(async (trx) => {
        const before = await trx
          .selectFrom('accounts')
          .select('email')
          .where('id', '=', accountId)
          .executeTakeFirstOrThrow()
        if (before.email !== email) {
          await trx
            .updateTable('accounts')
            .set({
              email,
              email_verified_at: null,
              verified_email_key: null,
              profile_updated_at: at,
              updated_at: at,
            })
            .where('id', '=', accountId)
            .execute()
        }
        const row = {
          account_id: accountId,
          email,
          code_hash: hash(accountId, email, code).toString('base64url'),
          attempts: 0,
          expires_at: new Date(now() + CODE_LIFETIME_MS).toISOString(),
          created_at: at,
        }
        await trx
          .insertInto('email_codes')
          .values(row)
          .onConflict((conflict) =>
            conflict.column('account_id').doUpdateSet({
              email: row.email,
              code_hash: row.code_hash,
              attempts: 0,
              expires_at: row.expires_at,
              created_at: row.created_at,
            }),
          )
          .execute()
      })
    },

    async check(accountId, typed) {
      const row = await db
        .selectFrom('email_codes')
        .innerJoin('accounts', 'accounts.id', 'email_codes.account_id')
        .select([
          'email_codes.email',
          'email_codes.code_hash',
          'email_codes.attempts',
          'email_codes.expires_at',
          'accounts.email as current',
        ])
        .where('email_codes.account_id', '=', accountId)
        .executeTakeFirst()
      if (row === undefined || row.current !== row.email || row.attempts >= CODE_ATTEMPTS)
        return { outcome: 'none' }
      if (Date.parse(row.expires_at) <= now()) return { outcome: 'expired' }
      const stored = Buffer.from(row.code_hash, 'base64url')
      const given = hash(accountId, row.email, typed)
      if (stored.length !== given.length || !timingSafeEqual(stored, given))
        return countWrongTry(db, accountId, row.code_hash)
      return spend(db, accountId, row.email, row.code_hash, new Date(now()).toISOString())
    },

    async pending(accountId) {
      const row = await db
        .selectFrom('email_codes')
        .innerJoin('accounts', 'accounts.id', 'email_codes.account_id')
        .select(['email_codes.email', 'email_codes.expires_at'])
        .where('email_codes.account_id', '=', accountId)
        .whereRef('email_codes.email', '=', 'accounts.email')
        .where('email_codes.attempts', '<', CODE_ATTEMPTS)
        .where('email_codes.expires_at', '>', new Date(now()).toISOString())
        .executeTakeFirst()
      return row === undefined ? undefined : { email: row.email, expiresAt: row.expires_at }
    },
  }
}

/**
 * Counts a wrong try against the code that was checked (by its hash, so a new code sent meanwhile
 * is not charged), in one statement, so tries at once cannot each see the same count.
 */
async function countWrongTry(
  db: Kysely<ProviderDatabase>,
  accountId: string,
  codeHash: string,
): Promise<CodeCheck> {
  const counted = await db
    .updateTable('email_codes')
    .set((eb) => ({ attempts: eb('attempts', '+', 1) }))
    .where('account_id', '=', accountId)
    .where('code_hash', '=', codeHash)
    .returning('attempts')
    .executeTakeFirst()
  return {
    outcome: 'wrong',
    attemptsLeft: Math.max(0, CODE_ATTEMPTS - (counted?.attempts ?? CODE_ATTEMPTS)),
  }
}

/**
 * Spends the code and marks the address verified, in one transaction: the code's row is deleted
 * first, so of two tries at once only one verifies. Another account holding the address verified
 * makes the unique index refuse, and the transaction undoes the spending.
 */
async function spend(
  db: Kysely<ProviderDatabase>,
  accountId: string,
  email: string,
  codeHash: string,
  at: string,
): Promise<CodeCheck> {
  try {
    return await db.transaction().execute(async (trx) => {
      const spent = await trx
        .deleteFrom('email_codes')
        .where('account_id', '=', accountId)
        .where('code_hash', '=', codeHash)
        .executeTakeFirst()
      if (Number(spent.numDeletedRows) !== 1) return { outcome: 'none' } as const
      const marked = await trx
        .updateTable('accounts')
        .set({ email_verified_at: at, verified_email_key: verifiedEmailKey(email) })
        .where('id', '=', accountId)
        .where('email', '=', email)
        .executeTakeFirst()
      if (Number(marked.numUpdatedRows) !== 1) return { outcome: 'none' } as const
      return { outcome: 'verified' } as const
    })
  } catch (error) {
    if (isUniqueViolation(error, 'accounts.verified_email_key')) return { outcome: 'taken' }
    throw error
  }
}

/**
 * The form a verified address is unique in: lower-case, since mail systems treat the domain, and
 * in practice the local part, without regard to case.
 */
export function verifiedEmailKey(email: string): string {
  return email.toLowerCase()
}
