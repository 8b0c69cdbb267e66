import type { RegistrationResponseJSON } from '@simplewebauthn/server'
import { loadSimpleWebAuthn } from './loadSimpleWebAuthn.ts'
import type { PasskeyContext } from './PasskeyCeremonies.ts'
import { PASSKEY_ALGORITHMS } from './passkeyAlgorithms.ts'
import type { NewPasskey } from './passkeyStore.ts'
import { refuseFramedAnswer } from './refuseFramedAnswer.ts'
import { verifiedOrRejected } from './verifiedOrRejected.ts'

/**
 * Verifies a browser's new passkey against the challenge it was created for (origin, RP ID, user
 * verification) and returns what is stored of it. Used by sign-up and by the account page. An answer
 * made in another site's frame is `passkey_framed` (see `refuseFramedAnswer`); any other failure is
 * `passkey_rejected` (see `verifiedOrRejected`).
 */
export async function verifyNewPasskey(
  context: Pick<PasskeyContext, 'origin' | 'rpId'>,
  challenge: string,
  response: RegistrationResponseJSON,
): Promise<NewPasskey> {
  refuseFramedAnswer(response.response.clientDataJSON)
  const { verifyRegistrationResponse } = await loadSimpleWebAuthn()
  const verification = await verifiedOrRejected(
    verifyRegistrationResponse({
      response,
      expectedChallenge: challenge,
      supportedAlgorithmIDs: PASSKEY_ALGORITHMS,
      expectedOrigin: context.origin,
      expectedRPID: context.rpId,
      requireUserVerification: true,
    }),
  )
  const { credential, credentialDeviceType, credentialBackedUp, aaguid } =
    verification.registrationInfo
  return {
    id: credential.id,
    publicKey: credential.publicKey,
    counter: credential.counter,
    transports: credential.transports ?? [],
    deviceType: credentialDeviceType,
    backedUp: credentialBackedUp,
    aaguid,
  }
}
