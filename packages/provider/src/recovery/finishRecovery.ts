import type { RegistrationResponseJSON } from '@simplewebauthn/server'
import type { RecoveryLinks } from '../accounts/recoveryLinks.ts'
import { ProviderError } from '../errors/ProviderError.ts'
import type { PasskeyContext } from '../passkeys/PasskeyCeremonies.ts'
import { PASSKEYS_PER_ACCOUNT } from '../passkeys/passkeyStore.ts'
import { takePendingCeremony } from '../passkeys/pendingCeremony.ts'
import { verifyNewPasskey } from '../passkeys/verifyNewPasskey.ts'

/**
 * Verifies the new passkey against the interaction's pending recovery ceremony, spends the link and
 * adds the passkey to the account. The challenge is taken before verification (an answer counts
 * once); the link is spent only once the passkey is verified, atomically, so of two tabs racing with
 * one link exactly one adds its passkey, and the other is refused with `recovery_link_used`. Should
 * the passkey then not be kept (it is registered already, the account is full or gone), the link is
 * released: a refusal does not use it up. Nothing else of the account changes: its `sub` for every
 * app, its consents and its other passkeys stay.
 */
export async function finishRecovery(
  context: PasskeyContext & { links: RecoveryLinks },
  interactionUid: string,
  link: { token: string; accountId: string },
  response: RegistrationResponseJSON,
): Promise<void> {
  const pending = await takePendingCeremony(context.db, {
    model: 'Interaction',
    id: interactionUid,
  })
  if (pending?.kind !== 'new-passkey' || pending.accountId !== link.accountId)
    throw new ProviderError('stale_challenge')
  const passkey = await verifyNewPasskey(context, pending.challenge, response)
  if (!(await context.links.spend(link.token, link.accountId))) {
    // Used by another tab meanwhile, or it expired during the ceremony.
    const now = await context.links.check(link.token)
    throw new ProviderError(
      now.outcome === 'expired' ? 'recovery_link_expired' : 'recovery_link_used',
    )
  }
  let added: boolean
  try {
    added = await context.passkeys.add(link.accountId, passkey)
  } catch (error) {
    await context.links.release(link.token)
    if (await context.passkeys.find(passkey.id)) throw new ProviderError('passkey_exists')
    if ((await context.accounts.findById(link.accountId)) === undefined)
      throw new ProviderError('account_deleted')
    throw error
  }
  if (!added) {
    await context.links.release(link.token)
    throw new ProviderError('too_many_passkeys', { max: PASSKEYS_PER_ACCOUNT })
  }
}
