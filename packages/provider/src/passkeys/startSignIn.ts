import type { PublicKeyCredentialRequestOptionsJSON } from '@simplewebauthn/server'
import { ProviderError } from '../errors/ProviderError.ts'
import { loadSimpleWebAuthn } from './loadSimpleWebAuthn.ts'
import type { PasskeyContext } from './PasskeyCeremonies.ts'
import { CEREMONY_TIMEOUT_MS, readPendingCeremony, savePendingCeremony } from './pendingCeremony.ts'

/**
 * Below this much time left, a pending sign-in's challenge is not handed out again: a new one gives
 * the person a whole prompt's time.
 */
export const SHARED_CHALLENGE_MIN_LEFT_MS = 2 * 60 * 1000

/**
 * Starts a sign-in with a discoverable passkey: no username, no list of credentials, so the browser
 * offers whichever passkeys it holds for this relying party.
 *
 * The sign-in page asks twice while one sign-in is pending: for the browser's autofill at load, and
 * for the `Sign in with a passkey` button. Both get the interaction's one pending challenge (with
 * the time it has left), so whichever the person uses answers it, and a second request never voids
 * the first. The challenge is still answered at most once (`finishSignIn` takes it); once taken,
 * expired, nearly expired or replaced by a sign-up's, the next request makes a new one.
 */
export async function startSignIn(
  context: PasskeyContext,
  interactionUid: string,
  now = Date.now(),
): Promise<PublicKeyCredentialRequestOptionsJSON> {
  const owner = { model: 'Interaction', id: interactionUid } as const
  const pending = await readPendingCeremony(context.db, owner, now)
  const { generateAuthenticationOptions } = await loadSimpleWebAuthn()
  const options = await generateAuthenticationOptions({
    rpID: context.rpId,
    userVerification: 'required',
    timeout: CEREMONY_TIMEOUT_MS,
  })
  if (pending?.kind === 'authentication' && pending.expiresAt - now >= SHARED_CHALLENGE_MIN_LEFT_MS)
    return { ...options, challenge: pending.challenge, timeout: pending.expiresAt - now }
  const saved = await savePendingCeremony(context.db, owner, {
    kind: 'authentication',
    challenge: options.challenge,
    expiresAt: now + CEREMONY_TIMEOUT_MS,
  })
  if (!saved) throw new ProviderError('interaction_expired')
  return options
}
