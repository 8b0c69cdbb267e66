import type { AuthenticationResponseJSON } from '@simplewebauthn/server'
import { ProviderError } from '../errors/ProviderError.ts'
import type { PasskeyContext } from './PasskeyCeremonies.ts'
import { takePendingCeremony } from './pendingCeremony.ts'
import { verifyAssertion } from './verifyAssertion.ts'

/**
 * Verifies a passkey assertion against the pending sign-in and returns the account it signs in to,
 * unless an operator disabled that account. The stored signature counter is updated, so a cloned
 * authenticator replaying an old count fails.
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
  if (pending?.kind !== 'authentication') throw new ProviderError('stale_challenge')
  const passkey = await context.passkeys.find(response.id)
  if (passkey === undefined) throw new ProviderError('unknown_passkey')
  const counter = await verifyAssertion(context, pending.challenge, passkey, response)
  // Said only to the passkey's holder, after its answer is verified.
  if (passkey.disabled_at !== null) throw new ProviderError('account_disabled')
  // Another answer with a higher count may have been recorded since the passkey was read.
  if (!(await context.passkeys.recordUse(passkey.id, counter)))
    throw new ProviderError('passkey_cloned')
  return { accountId: passkey.account_id }
}
