import {
  type AuthenticationResponseJSON,
  verifyAuthenticationResponse,
} from '@simplewebauthn/server'
import { CeremonyError } from './CeremonyError.ts'
import type { PasskeyContext } from './PasskeyCeremonies.ts'
import { takePendingCeremony } from './pendingCeremony.ts'
import { staleCeremony } from './staleCeremony.ts'
import { reason } from './verifyNewPasskey.ts'

/**
 * Verifies a passkey assertion against the pending sign-in and returns the account it signs in to.
 * The stored signature counter is updated, so a cloned authenticator replaying an old count fails.
 */
export async function finishSignIn(
  context: PasskeyContext,
  interactionUid: string,
  response: AuthenticationResponseJSON,
): Promise<{ accountId: string }> {
  const pending = await takePendingCeremony(context.db, {
    model: 'Interaction',
    id: interactionUid,
  })
  if (pending?.kind !== 'authentication') throw staleCeremony()
  const passkey = await context.accounts.findPasskey(response.id)
  if (passkey === undefined) {
    throw new CeremonyError(
      400,
      'unknown_passkey',
      'This passkey is not registered here (it may have been removed). Use another passkey, or create an account.',
    )
  }
  if (
    response.response.userHandle !== undefined &&
    response.response.userHandle !== passkey.user_handle
  ) {
    throw new CeremonyError(
      400,
      'passkey_rejected',
      'This passkey does not belong to the account it names. Try another passkey.',
    )
  }
  let verification: Awaited<ReturnType<typeof verifyAuthenticationResponse>>
  try {
    verification = await verifyAuthenticationResponse({
      response,
      expectedChallenge: pending.challenge,
      expectedOrigin: context.origin,
      expectedRPID: context.rpId,
      requireUserVerification: true,
      credential: {
        id: passkey.id,
        publicKey: Buffer.from(passkey.public_key, 'base64url'),
        counter: Number(passkey.counter),
        transports: JSON.parse(passkey.transports),
      },
    })
  } catch (error) {
    // SimpleWebAuthn's wording for this one ("counter value 2 was lower than expected 2") means nothing
    // to a person; what it tells is that two devices answer for one passkey.
    if (error instanceof Error && /counter value/i.test(error.message)) {
      throw new CeremonyError(
        400,
        'passkey_cloned',
        'This passkey answered with an old signature count, as a copied passkey would. Use another passkey, or create a new one.',
      )
    }
    throw new CeremonyError(
      400,
      'passkey_rejected',
      `The passkey was not accepted: ${reason(error)} Try again.`,
    )
  }
  if (!verification.verified) {
    throw new CeremonyError(
      400,
      'passkey_rejected',
      'The passkey signature could not be verified. Try again.',
    )
  }
  await context.accounts.recordPasskeyUse(passkey.id, verification.authenticationInfo.newCounter)
  return { accountId: passkey.account_id }
}
