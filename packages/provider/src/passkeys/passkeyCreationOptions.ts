import type { PublicKeyCredentialCreationOptionsJSON } from '@simplewebauthn/server'
import { loadSimpleWebAuthn } from './loadSimpleWebAuthn.ts'
import type { PasskeyContext } from './PasskeyCeremonies.ts'
import { PASSKEY_ALGORITHMS } from './passkeyAlgorithms.ts'
import { CEREMONY_TIMEOUT_MS } from './pendingCeremony.ts'

/**
 * The options for creating a passkey, for sign-up and for the account page alike: discoverable
 * (no username to type later), user-verified, no attestation, and none of `exclude` (the passkeys
 * the account already has, so a device that holds one says so instead of making a second).
 */
export async function passkeyCreationOptions(
  context: Pick<PasskeyContext, 'rpId' | 'rpName'>,
  user: { handle: Uint8Array<ArrayBuffer>; name: string },
  exclude: ReadonlyArray<{ id: string; transports: string }> = [],
): Promise<PublicKeyCredentialCreationOptionsJSON> {
  const { generateRegistrationOptions } = await loadSimpleWebAuthn()
  return generateRegistrationOptions({
    rpName: context.rpName,
    rpID: context.rpId,
    userName: user.name,
    userID: user.handle,
    userDisplayName: user.name,
    timeout: CEREMONY_TIMEOUT_MS,
    attestationType: 'none',
    excludeCredentials: exclude.map((passkey) => ({
      id: passkey.id,
      transports: JSON.parse(passkey.transports),
    })),
    authenticatorSelection: {
      residentKey: 'required',
      requireResidentKey: true,
      userVerification: 'required',
    },
    supportedAlgorithmIDs: PASSKEY_ALGORITHMS,
  })
}
