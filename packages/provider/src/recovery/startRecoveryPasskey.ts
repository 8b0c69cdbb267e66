import type { PublicKeyCredentialCreationOptionsJSON } from '@simplewebauthn/server'
import type { Account } from '../accounts/accountStore.ts'
import { ProviderError } from '../errors/ProviderError.ts'
import type { PasskeyContext } from '../passkeys/PasskeyCeremonies.ts'
import { passkeyCreationOptions } from '../passkeys/passkeyCreationOptions.ts'
import { CEREMONY_TIMEOUT_MS, savePendingCeremony } from '../passkeys/pendingCeremony.ts'

/**
 * Starts creating the recovered account's new passkey, kept in the account page sign-in's
 * interaction (`interactionUid`), like a sign-up's. The link is not spent here: a ceremony cancelled
 * or failed on the device leaves it usable (`finishRecovery` spends it). The account's passkeys are
 * excluded, so a device that still holds one says so instead of making a second.
 */
export async function startRecoveryPasskey(
  context: PasskeyContext,
  interactionUid: string,
  account: Account,
): Promise<PublicKeyCredentialCreationOptionsJSON> {
  const options = await passkeyCreationOptions(
    context,
    { handle: Buffer.from(account.user_handle, 'base64url'), name: account.username },
    await context.passkeys.list(account.id),
  )
  const saved = await savePendingCeremony(
    context.db,
    { model: 'Interaction', id: interactionUid },
    {
      kind: 'new-passkey',
      challenge: options.challenge,
      expiresAt: Date.now() + CEREMONY_TIMEOUT_MS,
      accountId: account.id,
    },
  )
  if (!saved) throw new ProviderError('interaction_expired')
  return options
}
