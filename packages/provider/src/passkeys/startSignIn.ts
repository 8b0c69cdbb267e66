import {
  generateAuthenticationOptions,
  type PublicKeyCredentialRequestOptionsJSON,
} from '@simplewebauthn/server'
import type { PasskeyContext } from './PasskeyCeremonies.ts'
import { CEREMONY_TIMEOUT_MS, savePendingCeremony } from './pendingCeremony.ts'
import { expiredInteraction } from './startSignUp.ts'

/**
 * Starts a sign-in with a discoverable passkey: no username, no list of credentials, so the browser
 * offers whichever passkeys it holds for this relying party.
 */
export async function startSignIn(
  context: PasskeyContext,
  interactionUid: string,
): Promise<PublicKeyCredentialRequestOptionsJSON> {
  const options = await generateAuthenticationOptions({
    rpID: context.rpId,
    userVerification: 'required',
    timeout: CEREMONY_TIMEOUT_MS,
  })
  const saved = await savePendingCeremony(
    context.db,
    { model: 'Interaction', id: interactionUid },
    {
      kind: 'authentication',
      challenge: options.challenge,
      expiresAt: Date.now() + CEREMONY_TIMEOUT_MS,
    },
  )
  if (!saved) throw expiredInteraction()
  return options
}
