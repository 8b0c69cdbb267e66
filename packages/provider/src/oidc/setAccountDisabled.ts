import type { Kysely } from 'kysely'
import type { ProviderDatabase } from '../store/schema.ts'

/**
 * Disables an account (`disabled: true`) or enables it again, for the operator's `accounts` command.
 * Returns whether anything changed: false for an account already in that state.
 *
 * Disabling deletes nothing the account owns (passkeys, profile, consents, security events), and
 * stops everything it could do, at once: its sign-in sessions are ended here, and with them every
 * access token issued in them (oidc-provider's tokens expire with their session, as no app may ask
 * for offline_access), so apps' tokens fail at userinfo and introspection; while the mark is set
 * `findAccount` knows no such account, so an unredeemed code gets invalid_grant, and a passkey
 * sign-in is refused (`finishSignIn`). Enabling clears the mark: the person signs in again as before,
 * with the same `sub` and consents at every app, and apps get new tokens.
 */
export async function setAccountDisabled(
  db: Kysely<ProviderDatabase>,
  accountId: string,
  disabled: boolean,
): Promise<boolean> {
  return await db.transaction().execute(async (trx) => {
    const changed = await trx
      .updateTable('accounts')
      .set({ disabled_at: disabled ? new Date().toISOString() : null })
      .where('id', '=', accountId)
      .where('disabled_at', disabled ? 'is' : 'is not', null)
      .executeTakeFirst()
    if (disabled) {
      // Every time: a second `disable` also ends a session a sign-in finished during the first.
      await trx
        .deleteFrom('oidc_records')
        .where('account_id', '=', accountId)
        .where('model', '=', 'Session')
        .execute()
    }
    return changed.numUpdatedRows > 0n
  })
}
