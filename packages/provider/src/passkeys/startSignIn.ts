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

/** How the sign-in page starts a sign-in: with its own read of the interaction's ceremony slot. */
export interface PageStart {
  read: PendingCeremonyRead
}

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
 * For the sign-in page (`page`, with the slot as the page has just read it, so that it is not read
 * twice), a pending ceremony of another kind (a sign-up begun in another tab) is left alone, on the
 * first read as on the second: a page load must not void it. The page then gets `undefined`.
 */
export function startSignIn(
  context: PasskeyContext,
  interactionUid: string,
  now?: number,
): Promise<PublicKeyCredentialRequestOptionsJSON>
export function startSignIn(
  context: PasskeyContext,
  interactionUid: string,
  now: number,
  page: PageStart,
): Promise<PublicKeyCredentialRequestOptionsJSON | undefined>
export async function startSignIn(
  context: PasskeyContext,
  interactionUid: string,
  now = Date.now(),
  page?: PageStart,
): Promise<PublicKeyCredentialRequestOptionsJSON | undefined> {
  const owner = { model: 'Interaction', id: interactionUid } as const
  const { generateAuthenticationOptions } = await loadSimpleWebAuthn()
  const options = await generateAuthenticationOptions({
    rpID: context.rpId,
    userVerification: 'required',
    timeout: CEREMONY_TIMEOUT_MS,
  })
  // Twice at most: when another request (the page loaded twice at once, the autofill request and
  // the button) saved its challenge between this one's read and write, the second read finds it.
  let current = page?.read
  for (let attempt = 0; attempt < 2; attempt += 1) {
    const { ceremony: pending, stored } =
      current ?? (await readPendingCeremony(context.db, owner, now))
    current = undefined
    if (page !== undefined && pending !== undefined && pending.kind !== 'authentication')
      return undefined
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
