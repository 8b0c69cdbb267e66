import { randomBytes } from 'node:crypto'
import { isUniqueViolation } from '@passkey-id/store'
import { type Kysely, type Selectable, sql } from 'kysely'
import { randomAvatarName } from '../profile/avatars.ts'
import type { ProfileUpdate } from '../profile/validateProfile.ts'
import { type SignUpDetails, usernameKey } from '../profile/validateSignUp.ts'
import type { AccountsTable, ProviderDatabase } from '../store/schema.ts'

/** An account as stored. */
export type Account = Selectable<AccountsTable>

/** The username belongs to another account (taken between the form check and the write). */
export class UsernameTakenError extends Error {
  override name = 'UsernameTakenError'
}

/** The account queries the provider needs: look-ups and profile changes. Passkeys are `PasskeyStore`'s. */
export interface AccountStore {
  findById(id: string): Promise<Account | undefined>
  /** The account with this username, in any letter case (the operator's `accounts` command). */
  findByUsername(username: string): Promise<Account | undefined>
  isUsernameTaken(username: string): Promise<boolean>
  /**
   * Applies a validated profile change (see `validateProfile`) and returns the account as stored.
   * Throws `UsernameTakenError` if the new username is another account's, in any letter case.
   */
  updateProfile(accountId: string, update: ProfileUpdate): Promise<Account>
}

/**
 * The verification columns when the profile sets `email`: kept when the address stays the same
 * (byte for byte), reset otherwise, in the same statement as the change.
 */
function emailVerificationFor(email: string | null) {
  const kept = (column: 'email_verified_at' | 'verified_email_key') =>
    sql<
      string | null
    >`case when ${sql.ref('email')} = ${email} then ${sql.ref(column)} else null end`
  return {
    email_verified_at: kept('email_verified_at'),
    verified_email_key: kept('verified_email_key'),
  }
}

/** A random identifier: 128 bits, base64url. */
export function randomId(): string {
  return randomBytes(16).toString('base64url')
}

/** Creates the account store over the provider's database. */
export function createAccountStore(db: Kysely<ProviderDatabase>): AccountStore {
  return {
    findById: (id) => db.selectFrom('accounts').selectAll().where('id', '=', id).executeTakeFirst(),

    findByUsername: (username) =>
      db
        .selectFrom('accounts')
        .selectAll()
        .where('username_key', '=', usernameKey(username))
        .executeTakeFirst(),

    async isUsernameTaken(username) {
      const row = await db
        .selectFrom('accounts')
        .select('id')
        .where('username_key', '=', usernameKey(username))
        .executeTakeFirst()
      return row !== undefined
    },

    async updateProfile(accountId, update) {
      const now = new Date().toISOString()
      let updated: Account | undefined
      try {
        updated = await db
          .updateTable('accounts')
          .set({
            ...update,
            ...(update.username === undefined
              ? {}
              : { username_key: usernameKey(update.username) }),
            // A new address is unverified: a verification speaks for the address it checked.
            ...(update.email === undefined ? {} : emailVerificationFor(update.email)),
            profile_updated_at: now,
            updated_at: now,
          })
          .where('id', '=', accountId)
          .returningAll()
          .executeTakeFirst()
      } catch (error) {
        // The unique index decides, so two accounts racing for one name cannot both get it.
        if (isUniqueViolation(error, 'accounts.username_key'))
          throw new UsernameTakenError(String(update.username))
        throw error
      }
      if (updated === undefined) throw new Error(`there is no account ${accountId}`)
      return updated
    },
  }
}

/**
 * Inserts a new account with an empty profile and returns it as stored. `db` may be a transaction:
 * an account is created only together with its first passkey (`PasskeyStore.createAccountWithPasskey`).
 * Throws `UsernameTakenError` if the username is another account's, in any letter case.
 */
export async function insertAccount(
  db: Kysely<ProviderDatabase>,
  details: SignUpDetails & { userHandle: string },
): Promise<Account> {
  const now = new Date().toISOString()
  // Returning the row gives the profile columns as the database starts them (empty).
  const inserted = await db
    .insertInto('accounts')
    .values({
      id: randomId(),
      user_handle: details.userHandle,
      username: details.username,
      username_key: usernameKey(details.username),
      email: details.email,
      avatar: randomAvatarName(),
      created_at: now,
      updated_at: now,
    })
    .onConflict((conflict) => conflict.column('username_key').doNothing())
    .returningAll()
    .executeTakeFirst()
  if (inserted === undefined) throw new UsernameTakenError(details.username)
  return inserted
}
