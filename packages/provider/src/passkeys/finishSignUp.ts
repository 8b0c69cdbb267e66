import { type RegistrationResponseJSON, verifyRegistrationResponse } from '@simplewebauthn/server'
import { type Account, UsernameTakenError } from '../accounts/accountStore.ts'
import { CeremonyError } from './CeremonyError.ts'
import type { PasskeyContext } from './PasskeyCeremonies.ts'
import { takePendingCeremony } from './pendingCeremony.ts'
import { staleCeremony } from './staleCeremony.ts'

/**
 * Verifies the browser's new passkey against the pending sign-up and creates the account with it.
 * The challenge is taken before verification, so an answer is accepted once at most.
 */
export async function finishSignUp(
  context: PasskeyContext,
  interactionUid: string,
  response: RegistrationResponseJSON,
): Promise<Account> {
  const pending = await takePendingCeremony(context.db, interactionUid)
  if (pending?.kind !== 'registration') throw staleCeremony()
  let verification: Awaited<ReturnType<typeof verifyRegistrationResponse>>
  try {
    verification = await verifyRegistrationResponse({
      response,
      expectedChallenge: pending.challenge,
      expectedOrigin: context.origin,
      expectedRPID: context.rpId,
      requireUserVerification: true,
    })
  } catch (error) {
    throw new CeremonyError(
      400,
      'passkey_rejected',
      `The new passkey was not accepted: ${reason(error)} Try again.`,
    )
  }
  if (!verification.verified) {
    throw new CeremonyError(
      400,
      'passkey_rejected',
      'The new passkey could not be verified. Try again.',
    )
  }
  const { credential, credentialDeviceType, credentialBackedUp, aaguid } =
    verification.registrationInfo
  try {
    return await context.accounts.createWithPasskey(pending.signUp, {
      id: credential.id,
      publicKey: credential.publicKey,
      counter: credential.counter,
      transports: credential.transports ?? [],
      deviceType: credentialDeviceType,
      backedUp: credentialBackedUp,
      aaguid,
    })
  } catch (error) {
    if (error instanceof UsernameTakenError) {
      throw new CeremonyError(
        409,
        'username_taken',
        `The username "${pending.signUp.username}" was taken a moment ago. Choose another one.`,
        'username',
      )
    }
    if (await context.accounts.findPasskey(credential.id)) {
      throw new CeremonyError(
        409,
        'passkey_exists',
        'This passkey already belongs to an account. Sign in with it instead.',
      )
    }
    throw error
  }
}

/** Errors that come from code choking on malformed bytes, not from a WebAuthn check. */
const PARSER_FAILURES = [TypeError, SyntaxError, RangeError, ReferenceError]

/**
 * SimpleWebAuthn's reason, as a sentence. Its checks (challenge, origin, RP ID, flags) throw errors
 * that say what did not match; bytes that do not even parse fail deeper down with a `TypeError` or
 * `SyntaxError` about code internals, which would tell a person nothing.
 */
export function reason(error: unknown): string {
  if (!(error instanceof Error) || PARSER_FAILURES.some((kind) => error instanceof kind))
    return 'The answer from the authenticator could not be read.'
  const { message } = error
  return message.endsWith('.') ? message : `${message}.`
}
