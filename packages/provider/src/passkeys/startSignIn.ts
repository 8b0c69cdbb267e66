import type { PublicKeyCredentialRequestOptionsJSON } from '@simplewebauthn/server'
import { ProviderError } from '../errors/ProviderError.ts'
import { loadSimpleWebAuthn } from './loadSimpleWebAuthn.ts'
import type { PasskeyContext } from './PasskeyCeremonies.ts'
import {
  CEREMONY_TIMEOUT_MS,
  type PendingCeremonyRead,
  readPendingCeremony,
  replacePendingCeremony,
} from './pendingCeremony.ts'

/**
 * Below this much time left, a pending sign-in's challenge is not handed out again: a new one gives
 * the person a whole prompt's time.
 */
export const SHARED_CHALLENGE_MIN_LEFT_MS = 2 * 60 * 1000

/**
 * Starts a sign-in with a discoverable passkey: no username, no list of credentials, so the browser
 * offers whichever passkeys it holds for this relying party.
 *
 * The sign-in page carries these options (`pageSignInOptions`), and its script asks again once they
 * are spent; every load of the page and every request gets the interaction's one pending challenge
 * (with the time it has left) while it has two minutes left, so whichever the person uses answers
 * it, and a second request never voids the first. The challenge is still answered at most once
 * (`finishSignIn` takes it); once taken, expired, nearly expired or replaced by a sign-up's, the next
 * request makes a new one, and of two requests that make one at once, both get the one saved first.
 *
 * `read` is the interaction's slot as the caller has just read it (`pageSignInOptions` reads it to
 * decide whether to start at all), so that it is not read twice.
 */
export async function startSignIn(
  context: PasskeyContext,
  interactionUid: string,
  now = Date.now(),
  read?: PendingCeremonyRead,
): Promise<PublicKeyCredentialRequestOptionsJSON> {
  const owner = { model: 'Interaction', id: interactionUid } as const
  const { generateAuthenticationOptions } = await loadSimpleWebAuthn()
  const options = await generateAuthenticationOptions({
    rpID: context.rpId,
    userVerification: 'required',
    timeout: CEREMONY_TIMEOUT_MS,
  })
  // Twice at most: when another request (the page loaded twice at once, the autofill request and
  // the button) saved its challenge between this one's read and write, the second read finds it.
  let current = read
  for (let attempt = 0; attempt < 2; attempt += 1) {
    const { ceremony: pending, stored } =
      current ?? (await readPendingCeremony(context.db, owner, now))
    current = undefined
    if (
      pending?.kind === 'authentication' &&
      pending.expiresAt - now >= SHARED_CHALLENGE_MIN_LEFT_MS
    )
      return { ...options, challenge: pending.challenge, timeout: pending.expiresAt - now }
    const ceremony = {
      kind: 'authentication',
      challenge: options.challenge,
      expiresAt: now + CEREMONY_TIMEOUT_MS,
    } as const
    if (await replacePendingCeremony(context.db, owner, stored, ceremony)) return options
  }
  throw new ProviderError('interaction_expired')
}
