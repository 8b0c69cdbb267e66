import { randomBytes } from 'node:crypto'
import type { Kysely, Selectable } from 'kysely'
import type { AccountsTable, PasskeysTable, ProviderDatabase } from '../store/schema.ts'
import { randomAvatarName } from './avatars.ts'
import { passkeyRow } from './passkeyStore.ts'
import type { ProfileUpdate } from './validateProfile.ts'
import { type SignUpDetails, usernameKey } from './validateSignUp.ts'

/** An account as stored. */
export type Account = Selectable<AccountsTable>
/** A passkey as stored. */
export type StoredPasskey = Selectable<PasskeysTable>

/** A verified new passkey, as the registration ceremony returns it. */
export interface NewPasskey {
  id: string
  publicKey: Uint8Array
  counter: number
  transports: string[]
  deviceType: string
  backedUp: boolean
  aaguid: string
}

/** The username belongs to another account (taken between the form check and the write). */
export class UsernameTakenError extends Error {
  override name = 'UsernameTakenError'
}

/** The account queries the provider needs: creation with a first passkey, look-ups, passkey use. */
export interface AccountStore {
  findById(id: string): Promise<Account | undefined>
  isUsernameTaken(username: string): Promise<boolean>
  /** Creates the account and its first passkey together, or neither. */
  createWithPasskey(
    details: SignUpDetails & { userHandle: string },
    passkey: NewPasskey,
  ): Promise<Account>
  findPasskey(credentialId: string): Promise<(StoredPasskey & { user_handle: string }) | undefined>
  /** Records a sign-in: the new signature counter and the time of use. */
  recordPasskeyUse(credentialId: string, counter: number): Promise<void>
  /**
   * Applies a validated profile change (see `validateProfile`) and returns the account as stored.
   * Throws `UsernameTakenError` if the new username is another account's, in any letter case.
   */
  updateProfile(accountId: string, update: ProfileUpdate): Promise<Account>
}

/** A random identifier: 128 bits, base64url. */
export function randomId(): string {
  return randomBytes(16).toString('base64url')
}

/** Creates the account store over the provider's database. */
export function createAccountStore(db: Kysely<ProviderDatabase>): AccountStore {
  return {
    findById: (id) => db.selectFrom('accounts').selectAll().where('id', '=', id).executeTakeFirst(),

    async isUsernameTaken(username) {
      const row = await db
        .selectFrom('accounts')
        .select('id')
        .where('username_key', '=', usernameKey(username))
        .executeTakeFirst()
      return row !== undefined
    },

    createWithPasskey: (details, passkey) =>
      db.transaction().execute(async (trx) => {
        const now = new Date().toISOString()
        const account = {
          id: randomId(),
          user_handle: details.userHandle,
          username: details.username,
          username_key: usernameKey(details.username),
          email: details.email,
          avatar: randomAvatarName(),
          created_at: now,
          updated_at: now,
        }
        // Returning the row gives the profile columns as the database starts them (empty).
        const inserted = await trx
          .insertInto('accounts')
          .values(account)
          .onConflict((conflict) => conflict.column('username_key').doNothing())
          .returningAll()
          .executeTakeFirst()
        if (inserted === undefined) throw new UsernameTakenError(details.username)
        await trx
          .insertInto('passkeys')
          .values(passkeyRow(account.id, passkey, now))
          .execute()
        return inserted
      }),

    findPasskey: (credentialId) =>
      db
        .selectFrom('passkeys')
        .innerJoin('accounts', 'accounts.id', 'passkeys.account_id')
        .selectAll('passkeys')
        .select('accounts.user_handle')
        .where('passkeys.id', '=', credentialId)
        .executeTakeFirst(),

    async recordPasskeyUse(credentialId, counter) {
      await db
        .updateTable('passkeys')
        .set({ counter, last_used_at: new Date().toISOString() })
        .where('id', '=', credentialId)
        .execute()
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

/** Whether `error` is SQLite refusing a duplicate value in the unique `column` (table.column). */
function isUniqueViolation(error: unknown, column: string): boolean {
  return (
    error instanceof Error &&
    (error as { code?: unknown }).code === 'SQLITE_CONSTRAINT_UNIQUE' &&
    error.message.includes(column)
  )
}
