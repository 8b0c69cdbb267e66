import type { AuthenticationResponseJSON } from '@simplewebauthn/server'
import { ProviderError } from '../errors/ProviderError.ts'
import { loadSimpleWebAuthn } from './loadSimpleWebAuthn.ts'
import type { PasskeyContext } from './PasskeyCeremonies.ts'
import type { StoredPasskey } from './passkeyStore.ts'
import { refuseFramedAnswer } from './refuseFramedAnswer.ts'
import { verifiedOrRejected } from './verifiedOrRejected.ts'

/**
 * Verifies a sign-in answer signed by a stored passkey against the challenge it was asked for
 * (origin, RP ID, user verification, signature, user handle, signature counter) and returns the
 * passkey's new signature counter.
 *
 * A failed check is `passkey_rejected` (see `verifiedOrRejected`), an answer made in another site's
 * frame `passkey_framed` (see `refuseFramedAnswer`). The counter is compared here,
 * after the signature is known to be good, rather than by the library: a stale count gets its own
 * code, `passkey_cloned`, without reading the library's message, and only a genuinely signed answer
 * can be called a copy.
 */
export async function verifyAssertion(
  context: Pick<PasskeyContext, 'origin' | 'rpId'>,
  challenge: string,
  passkey: StoredPasskey & { user_handle: string },
  response: AuthenticationResponseJSON,
): Promise<number> {
  const { userHandle } = response.response
  if (userHandle !== undefined && userHandle !== passkey.user_handle)
    throw new ProviderError('passkey_rejected')
  refuseFramedAnswer(response.response.clientDataJSON)
  const { verifyAuthenticationResponse } = await loadSimpleWebAuthn()
  const verification = await verifiedOrRejected(
    verifyAuthenticationResponse({
      response,
      expectedChallenge: challenge,
      expectedOrigin: context.origin,
      expectedRPID: context.rpId,
      requireUserVerification: true,
      credential: {
        id: passkey.id,
        publicKey: Buffer.from(passkey.public_key, 'base64url'),
        // 0 turns the library's own counter check off: it is made below.
        counter: 0,
        transports: JSON.parse(passkey.transports),
      },
    }),
  )
  const stored = Number(passkey.counter)
  const { newCounter } = verification.authenticationInfo
  // WebAuthn's rule: once either count is above zero, each answer must count higher than the last.
  if ((newCounter > 0 || stored > 0) && newCounter <= stored)
    throw new ProviderError('passkey_cloned')
  return newCounter
}
