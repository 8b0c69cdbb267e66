import type { RegistrationResponseJSON } from '@simplewebauthn/server'
import { type Account, UsernameTakenError } from '../accounts/accountStore.ts'
import { CeremonyError } from './CeremonyError.ts'
import type { PasskeyContext } from './PasskeyCeremonies.ts'
import { takePendingCeremony } from './pendingCeremony.ts'
import { staleCeremony } from './staleCeremony.ts'
import { verifyNewPasskey } from './verifyNewPasskey.ts'

/**
 * Verifies the browser's new passkey against the pending sign-up and creates the account with it.
 * The challenge is taken before verification, so an answer is accepted once at most.
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
  if (pending?.kind !== 'registration') throw staleCeremony()
  const passkey = await verifyNewPasskey(context, pending.challenge, response)
  try {
    return await context.accounts.createWithPasskey(pending.signUp, passkey)
  } catch (error) {
    if (error instanceof UsernameTakenError) {
      throw new CeremonyError(
        409,
        'username_taken',
        `The username "${pending.signUp.username}" was taken a moment ago. Choose another one.`,
        'username',
      )
    }
    if (await context.accounts.findPasskey(passkey.id)) throw passkeyExists()
    throw error
  }
}

/** The new passkey's credential ID is already registered (to this or another account). */
export function passkeyExists(): CeremonyError {
  return new CeremonyError(
    409,
    'passkey_exists',
    'This passkey is already registered here. Sign in with it, or create a new one.',
  )
}
