import { type RegistrationResponseJSON, verifyRegistrationResponse } from '@simplewebauthn/server'
import type { NewPasskey } from '../accounts/accountStore.ts'
import { CeremonyError } from './CeremonyError.ts'
import type { PasskeyContext } from './PasskeyCeremonies.ts'

/** Errors that come from code choking on malformed bytes, not from a WebAuthn check. */
const PARSER_FAILURES = [TypeError, SyntaxError, RangeError, ReferenceError]

/**
 * Verifies a browser's new passkey against the challenge it was created for (origin, RP ID, user
 * verification) and returns what is stored of it. Used by sign-up and by the account page.
 */
export async function verifyNewPasskey(
  context: PasskeyContext,
  challenge: string,
  response: RegistrationResponseJSON,
): Promise<NewPasskey> {
  let verification: Awaited<ReturnType<typeof verifyRegistrationResponse>>
  try {
    verification = await verifyRegistrationResponse({
      response,
      expectedChallenge: challenge,
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
  return {
    id: credential.id,
    publicKey: credential.publicKey,
    counter: credential.counter,
    transports: credential.transports ?? [],
    deviceType: credentialDeviceType,
    backedUp: credentialBackedUp,
    aaguid,
  }
}

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
