import type { PublicKeyCredentialRequestOptionsJSON } from '@simplewebauthn/server'
import type { PasskeyContext } from './PasskeyCeremonies.ts'
import { readPendingCeremony } from './pendingCeremony.ts'
import { startSignIn } from './startSignIn.ts'

/**
 * The sign-in options the sign-in page carries: `startSignIn`'s, unless the interaction has another
 * ceremony pending (a sign-up begun on this page, or in another tab of it), which loading the page
 * again must not void; the page then carries none, and its script asks for options only if the
 * person signs in instead.
 */
export async function pageSignInOptions(
  context: PasskeyContext,
  interactionUid: string,
  now = Date.now(),
): Promise<PublicKeyCredentialRequestOptionsJSON | undefined> {
  const owner = { model: 'Interaction', id: interactionUid } as const
  return startSignIn(context, interactionUid, now, {
    read: await readPendingCeremony(context.db, owner, now),
  })
}
