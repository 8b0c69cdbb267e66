import {
  generateRegistrationOptions,
  type PublicKeyCredentialCreationOptionsJSON,
} from '@simplewebauthn/server'
import type { PasskeyContext } from './PasskeyCeremonies.ts'
import { CEREMONY_TIMEOUT_MS } from './pendingCeremony.ts'

/**
 * The options for creating a passkey, for sign-up and for the account page alike: discoverable
 * (no username to type later), user-verified, no attestation, and none of `exclude` (the passkeys
 * the account already has, so a device that holds one says so instead of making a second).
 */
export function passkeyCreationOptions(
  context: PasskeyContext,
  user: { handle: Uint8Array<ArrayBuffer>; name: string },
  exclude: ReadonlyArray<{ id: string; transports: string }> = [],
): Promise<PublicKeyCredentialCreationOptionsJSON> {
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
    supportedAlgorithmIDs: [-7, -8, -257],
  })
}
