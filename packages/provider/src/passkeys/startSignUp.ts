import { randomBytes } from 'node:crypto'
import type { PublicKeyCredentialCreationOptionsJSON } from '@simplewebauthn/server'
import { validateSignUp } from '../accounts/validateSignUp.ts'
import { CeremonyError } from './CeremonyError.ts'
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
    throw new CeremonyError(
      400,
      `invalid_${validation.field}`,
      validation.message,
      validation.field,
    )
  const { username, email } = validation.details
  if (await context.accounts.isUsernameTaken(username)) {
    throw new CeremonyError(
      409,
      'username_taken',
      `The username "${username}" is taken. Choose another one.`,
      'username',
    )
  }
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
  if (!saved) throw expiredInteraction()
  return options
}

/** The sign-in that this ceremony belongs to has ended or expired. */
export function expiredInteraction(): CeremonyError {
  return new CeremonyError(
    400,
    'interaction_expired',
    'This sign-in has expired. Go back to the app and start signing in again.',
  )
}
