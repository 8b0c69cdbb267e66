import type { Insertable, Kysely, Selectable } from 'kysely'
import { type Account, insertAccount } from '../accounts/accountStore.ts'
import { lockAccount } from '../accounts/lockAccount.ts'
import { lockAndCount } from '../accounts/lockAndCount.ts'
import type { SignUpDetails } from '../profile/validateSignUp.ts'
import type { PasskeysTable, ProviderDatabase } from '../store/schema.ts'
import { passkeyProviderName } from './passkeyProviderName.ts'

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

/** The longest passkey name the account page accepts. */
export const PASSKEY_NAME_MAX_LENGTH = 60

/**
 * The most passkeys one account keeps: more than the devices and security keys a person has, and a
 * bound on what the account page lists and what each new passkey's options exclude.
 */
export const PASSKEYS_PER_ACCOUNT = 50

/** Every read and write of passkey rows: sign-up, sign-in, and the account page's management. */
export interface PasskeyStore {
  /** Creates the account and its first passkey together, or neither. */
  createAccountWithPasskey(
    details: SignUpDetails & { userHandle: string },
    passkey: NewPasskey,
  ): Promise<Account>
  /**
   * The passkey with this credential ID, with its account's user handle and whether an operator
   * disabled the account, for a sign-in.
   */
  find(
    credentialId: string,
  ): Promise<(StoredPasskey & { user_handle: string; disabled_at: string | null }) | undefined>
  /**
   * Records a sign-in: the new signature counter and the time of use, only if the counter is above
   * the stored one (or both are 0, an authenticator that does not count). False when it is not: an
   * answer with a higher count was recorded since this one's passkey was read.
   */
  recordUse(credentialId: string, counter: number): Promise<boolean>
  /** The account's passkeys, oldest first. */
  list(accountId: string): Promise<StoredPasskey[]>
  /**
   * Adds another passkey to the account, unless it has `PASSKEYS_PER_ACCOUNT` already: then false.
   * The count is made under the account's row lock, so additions at once cannot pass the bound.
   */
  add(accountId: string, passkey: NewPasskey): Promise<boolean>
  /** Renames one of the account's passkeys; false if the account has no passkey with that id. */
  rename(accountId: string, passkeyId: string, name: string): Promise<boolean>
  /**
   * Removes one of the account's passkeys. Its last one goes only with `evenTheLast`: the count is
   * part of the delete, and removals on one account take turns, so two at once (from two instances
   * too) cannot both pass a check made before either.
   */
  remove(
    accountId: string,
    passkeyId: string,
    options: { evenTheLast: boolean },
  ): Promise<'removed' | 'last' | 'not-found'>
}

/** Creates the passkey store over the provider's database. */
export function createPasskeyStore(db: Kysely<ProviderDatabase>): PasskeyStore {
  return {
    createAccountWithPasskey: (details, passkey) =>
      db.transaction().execute(async (trx) => {
        const account = await insertAccount(trx, details)
        await trx
          .insertInto('passkeys')
          .values(passkeyRow(account.id, passkey, account.created_at))
          .execute()
        return account
      }),

    find: (credentialId) =>
      db
        .selectFrom('passkeys')
        .innerJoin('accounts', 'accounts.id', 'passkeys.account_id')
        .selectAll('passkeys')
        .select(['accounts.user_handle', 'accounts.disabled_at'])
        .where('passkeys.id', '=', credentialId)
        .executeTakeFirst(),

    async recordUse(credentialId, counter) {
      // The comparison is part of the update, so that two answers checked against the same stored
      // count at once cannot write it backwards: the second to arrive updates nothing.
      const result = await db
        .updateTable('passkeys')
        .set({ counter, last_used_at: new Date().toISOString() })
        .where('id', '=', credentialId)
        .where((eb) => (counter === 0 ? eb('counter', '=', 0) : eb('counter', '<', counter)))
        .executeTakeFirst()
      return result.numUpdatedRows > 0n
    },

    list: (accountId) =>
      db
        .selectFrom('passkeys')
        .selectAll()
        .where('account_id', '=', accountId)
        .orderBy('created_at')
        .orderBy('id')
        .execute(),

    add: (accountId, passkey) =>
      db.transaction().execute(async (trx) => {
        if ((await lockAndCount(trx, accountId, 'passkeys')) >= PASSKEYS_PER_ACCOUNT) return false
        await trx
          .insertInto('passkeys')
          .values(passkeyRow(accountId, passkey, new Date().toISOString()))
          .execute()
        return true
      }),

    async rename(accountId, passkeyId, name) {
      const result = await db
        .updateTable('passkeys')
        .set({ name })
        .where('account_id', '=', accountId)
        .where('id', '=', passkeyId)
        .executeTakeFirst()
      return result.numUpdatedRows > 0n
    },

    remove: (accountId, passkeyId, { evenTheLast }) =>
      db.transaction().execute(async (trx) => {
        // Without the lock, two removals of an account's last two passkeys, each counting the
        // other's row in its own snapshot, would both pass on PostgreSQL.
        await lockAccount(trx, accountId)
        let removal = trx
          .deleteFrom('passkeys')
          .where('account_id', '=', accountId)
          .where('id', '=', passkeyId)
        if (!evenTheLast) {
          removal = removal.where(
            (eb) =>
              eb
                .selectFrom('passkeys as others')
                .select((count) => count.fn.countAll().as('n'))
                .where('others.account_id', '=', accountId),
            '>',
            1,
          )
        }
        const result = await removal.executeTakeFirst()
        if (result.numDeletedRows > 0n) return 'removed'
        const exists = await trx
          .selectFrom('passkeys')
          .select('id')
          .where('account_id', '=', accountId)
          .where('id', '=', passkeyId)
          .executeTakeFirst()
        return exists === undefined ? 'not-found' : 'last'
      }),
  }
}

/** The stored row of a newly verified passkey. */
function passkeyRow(
  accountId: string,
  passkey: NewPasskey,
  now: string,
): Insertable<PasskeysTable> {
  return {
    id: passkey.id,
    account_id: accountId,
    public_key: Buffer.from(passkey.publicKey).toString('base64url'),
    counter: passkey.counter,
    transports: JSON.stringify(passkey.transports),
    device_type: passkey.deviceType,
    backed_up: passkey.backedUp ? 1 : 0,
    aaguid: passkey.aaguid,
    created_at: now,
    last_used_at: null,
    // Named after its provider when the AAGUID says which; else the page's "Passkey N".
    name: passkeyProviderName(passkey.aaguid, PASSKEY_NAME_MAX_LENGTH) ?? null,
  }
}
