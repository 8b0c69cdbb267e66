import type { PublicKeyCredentialCreationOptionsJSON } from '@simplewebauthn/server'
import type { Account, StoredPasskey } from '../accounts/accountStore.ts'
import { CeremonyError } from './CeremonyError.ts'
import type { PasskeyContext } from './PasskeyCeremonies.ts'
import { passkeyCreationOptions } from './passkeyCreationOptions.ts'
import { CEREMONY_TIMEOUT_MS, savePendingCeremony } from './pendingCeremony.ts'

/**
 * Starts creating another passkey for a signed-in account (the account page). The ceremony is kept
 * in the person's provider session, and the account's passkeys are excluded.
 */
export async function startAddPasskey(
  context: PasskeyContext,
  sessionId: string,
  account: Account,
  existing: readonly StoredPasskey[],
): Promise<PublicKeyCredentialCreationOptionsJSON> {
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
  if (!saved)
    throw new CeremonyError(
      400,
      'signed_out',
      'You were signed out. Reload the page and sign in again.',
    )
  return options
}
