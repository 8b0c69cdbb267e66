import type { RegistrationResponseJSON } from '@simplewebauthn/server'
import type { PasskeyStore } from '../accounts/passkeyStore.ts'
import { CeremonyError } from './CeremonyError.ts'
import { passkeyExists } from './finishSignUp.ts'
import type { PasskeyContext } from './PasskeyCeremonies.ts'
import { takePendingCeremony } from './pendingCeremony.ts'
import { staleCeremony } from './staleCeremony.ts'
import { verifyNewPasskey } from './verifyNewPasskey.ts'

/**
 * Verifies the passkey created on the account page and adds it to the account. The challenge must
 * have been started in this session for this account, and is taken before verification, so an
 * answer is accepted once at most.
 */
export async function finishAddPasskey(
  context: PasskeyContext & { passkeys: PasskeyStore },
  sessionId: string,
  accountId: string,
  response: RegistrationResponseJSON,
): Promise<void> {
  const pending = await takePendingCeremony(context.db, { model: 'Session', id: sessionId })
  if (pending?.kind !== 'new-passkey' || pending.accountId !== accountId) throw staleCeremony()
  const passkey = await verifyNewPasskey(context, pending.challenge, response)
  try {
    await context.passkeys.add(accountId, passkey)
  } catch (error) {
    // The insert says why only in database terms: the passkey is registered already (here or to
    // another account), or the account was deleted meanwhile.
    if (await context.accounts.findPasskey(passkey.id)) throw passkeyExists()
    if ((await context.accounts.findById(accountId)) === undefined)
      throw new CeremonyError(
        400,
        'signed_out',
        'This account no longer exists. Nothing was added.',
      )
    throw error
  }
}
