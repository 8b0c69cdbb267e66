import type { RegistrationResponseJSON } from '@simplewebauthn/server'
import { type Account, UsernameTakenError } from '../accounts/accountStore.ts'
import { ProviderError } from '../errors/ProviderError.ts'
import { claimSignUp, releaseSignUp } from '../store/ceremonySlot.ts'
import type { PasskeyContext } from './PasskeyCeremonies.ts'
import { takePendingCeremony } from './pendingCeremony.ts'
import { verifyNewPasskey } from './verifyNewPasskey.ts'

/**
 * Verifies the browser's new passkey against the pending sign-up and creates the account with it.
 * The challenge is taken before verification, so an answer is accepted once at most, and the
 * interaction is claimed before the account is created, so it creates one account at most.
 */
export async function finishSignUp(
  context: PasskeyContext,
  interactionUid: string,
  response: RegistrationResponseJSON,
): Promise<Account> {
  const pending = await takePendingCeremony(context.db, {
    model: 'Interaction',
    id: interactionUid,
  })
  if (pending?.kind !== 'registration') throw new ProviderError('stale_challenge')
  const passkey = await verifyNewPasskey(context, pending.challenge, response)
  // Another sign-up of this interaction got there first (each with a ceremony of its own).
  if (!(await claimSignUp(context.db, interactionUid))) throw new ProviderError('out_of_order')
  try {
    return await context.passkeys.createAccountWithPasskey(pending.signUp, passkey)
  } catch (error) {
    await releaseSignUp(context.db, interactionUid)
    // Taken since the options step checked it.
    if (error instanceof UsernameTakenError)
      throw new ProviderError('username_taken', { username: pending.signUp.username })
    if (await context.passkeys.find(passkey.id)) throw new ProviderError('passkey_exists')
    throw error
  }
}
