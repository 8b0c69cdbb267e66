import type { PublicKeyCredentialCreationOptionsJSON } from '@simplewebauthn/server'
import type { Account } from '../accounts/accountStore.ts'
import { ProviderError } from '../errors/ProviderError.ts'
import type { PasskeyContext } from './PasskeyCeremonies.ts'
import { passkeyCreationOptions } from './passkeyCreationOptions.ts'
import { PASSKEYS_PER_ACCOUNT, type StoredPasskey } from './passkeyStore.ts'
import { CEREMONY_TIMEOUT_MS, savePendingCeremony } from './pendingCeremony.ts'

/**
 * Starts creating another passkey for a signed-in account (the account page). The ceremony is kept
 * in the person's provider session, and the account's passkeys are excluded. An account that has
 * `PASSKEYS_PER_ACCOUNT` already is refused here, before a passkey is made.
 */
export async function startAddPasskey(
  context: PasskeyContext,
  sessionId: string,
  account: Account,
  existing: readonly StoredPasskey[],
): Promise<PublicKeyCredentialCreationOptionsJSON> {
  // Refused before the person creates a passkey that could not be kept (finishAddPasskey checks again).
  if (existing.length >= PASSKEYS_PER_ACCOUNT)
    throw new ProviderError('too_many_passkeys', { max: PASSKEYS_PER_ACCOUNT })
  const options = await passkeyCreationOptions(
    context,
    { handle: Buffer.from(account.user_handle, 'base64url'), name: account.username },
    existing,
  )
  const saved = await savePendingCeremony(
    context.db,
    { model: 'Session', id: sessionId },
    {
      kind: 'new-passkey',
      challenge: options.challenge,
      expiresAt: Date.now() + CEREMONY_TIMEOUT_MS,
      accountId: account.id,
    },
  )
  if (!saved) throw new ProviderError('signed_out')
  return options
}
