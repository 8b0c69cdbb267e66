import { randomBytes } from 'node:crypto'
import type { PublicKeyCredentialCreationOptionsJSON } from '@simplewebauthn/server'
import { ProviderError } from '../errors/ProviderError.ts'
import { validateSignUp } from '../profile/validateSignUp.ts'
import type { PasskeyContext } from './PasskeyCeremonies.ts'
import { passkeyCreationOptions } from './passkeyCreationOptions.ts'
import { CEREMONY_TIMEOUT_MS, savePendingCeremony } from './pendingCeremony.ts'

/**
 * Checks the sign-up form and starts creating a passkey for a new account. Nothing is stored but the
 * pending ceremony: the account exists only once its passkey has been verified (`finishSignUp`).
 */
export async function startSignUp(
  context: PasskeyContext,
  interactionUid: string,
  form: { username?: unknown; email?: unknown },
): Promise<PublicKeyCredentialCreationOptionsJSON> {
  const validation = validateSignUp(form)
  if (!validation.ok)
    throw new ProviderError(`invalid_${validation.field}`, { guidance: validation.message })
  const { username, email } = validation.details
  if (await context.accounts.isUsernameTaken(username))
    throw new ProviderError('username_taken', { username })
  // The user handle is random: WebAuthn stores it on the authenticator, so it must not be personal data.
  const userHandle = randomBytes(32)
  const options = await passkeyCreationOptions(context, { handle: userHandle, name: username })
  const saved = await savePendingCeremony(
    context.db,
    { model: 'Interaction', id: interactionUid },
    {
      kind: 'registration',
      challenge: options.challenge,
      expiresAt: Date.now() + CEREMONY_TIMEOUT_MS,
      signUp: { username, email, userHandle: userHandle.toString('base64url') },
    },
  )
  if (!saved) throw new ProviderError('interaction_expired')
  return options
}
