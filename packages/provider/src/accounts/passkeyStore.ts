import type { Insertable, Kysely } from 'kysely'
import type { PasskeysTable, ProviderDatabase } from '../store/schema.ts'
import type { NewPasskey, StoredPasskey } from './accountStore.ts'

/** The longest passkey name the account page accepts. */
export const PASSKEY_NAME_MAX_LENGTH = 60

/** The passkeys of one account, as the account page manages them. Every call is scoped to the account. */
export interface PasskeyStore {
  /** The account's passkeys, oldest first. */
  list(accountId: string): Promise<StoredPasskey[]>
  /** Adds another passkey to the account. */
  add(accountId: string, passkey: NewPasskey): Promise<void>
  /** Renames one of the account's passkeys; false if the account has no passkey with that id. */
  rename(accountId: string, passkeyId: string, name: string): Promise<boolean>
  /**
   * Removes one of the account's passkeys. Its last one goes only with `evenTheLast`: the count is
   * part of the delete, so two removals at once cannot both pass a check made before either.
   */
  remove(
    accountId: string,
    passkeyId: string,
    options: { evenTheLast: boolean },
  ): Promise<'removed' | 'last' | 'not-found'>
}

/** The stored row of a newly verified passkey. */
export function passkeyRow(
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
    name: null,
  }
}

/** Creates the passkey store over the provider's database. */
export function createPasskeyStore(db: Kysely<ProviderDatabase>): PasskeyStore {
  return {
    list: (accountId) =>
      db
        .selectFrom('passkeys')
        .selectAll()
        .where('account_id', '=', accountId)
        .orderBy('created_at')
        .orderBy('id')
        .execute(),

    async add(accountId, passkey) {
      await db
        .insertInto('passkeys')
        .values(passkeyRow(accountId, passkey, new Date().toISOString()))
        .execute()
    },

    async rename(accountId, passkeyId, name) {
      const result = await db
        .updateTable('passkeys')
        .set({ name })
        .where('account_id', '=', accountId)
        .where('id', '=', passkeyId)
        .executeTakeFirst()
      return result.numUpdatedRows > 0n
    },

    async remove(accountId, passkeyId, { evenTheLast }) {
      let removal = db
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
      const exists = await db
        .selectFrom('passkeys')
        .select('id')
        .where('account_id', '=', accountId)
        .where('id', '=', passkeyId)
        .executeTakeFirst()
      return exists === undefined ? 'not-found' : 'last'
    },
  }
}
