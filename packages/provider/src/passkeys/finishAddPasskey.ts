import type { RegistrationResponseJSON } from '@simplewebauthn/server'
import { ProviderError } from '../errors/ProviderError.ts'
import type { PasskeyContext } from './PasskeyCeremonies.ts'
import { PASSKEYS_PER_ACCOUNT } from './passkeyStore.ts'
import { takePendingCeremony } from './pendingCeremony.ts'
import { verifyNewPasskey } from './verifyNewPasskey.ts'

/**
 * Verifies the passkey created on the account page and adds it to the account. The challenge must
 * have been started in this session for this account, and is taken before verification, so an
 * answer is accepted once at most. An account keeps at most `PASSKEYS_PER_ACCOUNT` passkeys.
 */
export async function finishAddPasskey(
  context: PasskeyContext,
  sessionId: string,
  accountId: string,
  response: RegistrationResponseJSON,
): Promise<void> {
  const pending = await takePendingCeremony(context.db, { model: 'Session', id: sessionId })
  if (pending?.kind !== 'new-passkey' || pending.accountId !== accountId)
    throw new ProviderError('stale_challenge')
  const passkey = await verifyNewPasskey(context, pending.challenge, response)
  let added: boolean
  try {
    added = await context.passkeys.add(accountId, passkey)
  } catch (error) {
    // The insert says why only in database terms: the passkey is registered already (here or to
    // another account), or the account was deleted meanwhile.
    if (await context.passkeys.find(passkey.id)) throw new ProviderError('passkey_exists')
    if ((await context.accounts.findById(accountId)) === undefined)
      throw new ProviderError('account_deleted')
    throw error
  }
  // Other passkeys were added since the options step counted them.
  if (!added) throw new ProviderError('too_many_passkeys', { max: PASSKEYS_PER_ACCOUNT })
}
