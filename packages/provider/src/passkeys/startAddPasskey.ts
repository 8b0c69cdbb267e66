import {
  generateRegistrationOptions,
  type PublicKeyCredentialCreationOptionsJSON,
} from '@simplewebauthn/server'
import type { Account, StoredPasskey } from '../accounts/accountStore.ts'
import { CeremonyError } from './CeremonyError.ts'
import type { PasskeyContext } from './PasskeyCeremonies.ts'
import { CEREMONY_TIMEOUT_MS, savePendingCeremony } from './pendingCeremony.ts'

/**
 * Starts creating another passkey for a signed-in account (the account page). The ceremony is kept
 * in the person's provider session; the passkeys the account already has are excluded, so a device
 * that holds one says so instead of making a second.
 */
export async function startAddPasskey(
  context: PasskeyContext,
  sessionId: string,
  account: Account,
  existing: readonly StoredPasskey[],
): Promise<PublicKeyCredentialCreationOptionsJSON> {
  const options = await generateRegistrationOptions({
    rpName: context.rpName,
    rpID: context.rpId,
    userName: account.username,
    userID: Buffer.from(account.user_handle, 'base64url'),
    userDisplayName: account.username,
    timeout: CEREMONY_TIMEOUT_MS,
    attestationType: 'none',
    excludeCredentials: existing.map((passkey) => ({
      id: passkey.id,
      transports: JSON.parse(passkey.transports),
    })),
    authenticatorSelection: {
      residentKey: 'required',
      requireResidentKey: true,
      userVerification: 'required',
    },
    supportedAlgorithmIDs: [-7, -8, -257],
  })
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
