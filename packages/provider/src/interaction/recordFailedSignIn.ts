import { ProviderError } from '../errors/ProviderError.ts'
import type { EventSource } from '../events/recordSecurityEvent.ts'
import { recordSecurityEvent } from '../events/recordSecurityEvent.ts'
import type { PasskeyContext } from '../passkeys/PasskeyCeremonies.ts'

/**
 * Records a refused passkey sign-in (`sign_in_failed`) and throws the refusal on. The account is the
 * one whose passkey the answer named, looked up here so that a successful sign-in pays nothing for
 * it; an answer naming no stored passkey is logged without one. A store that cannot answer is no
 * failed sign-in: that error goes on unrecorded.
 */
export async function recordFailedSignIn(
  context: PasskeyContext,
  source: EventSource,
  attempt: { credentialId: string; clientId: string },
  error: unknown,
): Promise<never> {
  if (error instanceof ProviderError && error.statusCode < 500) {
    const passkey =
      error.code === 'unknown_passkey'
        ? undefined
        : await context.passkeys.find(attempt.credentialId).catch(() => undefined)
    await recordSecurityEvent(context.db, source, {
      kind: 'sign_in_failed',
      account: passkey?.account_id,
      clientId: attempt.clientId,
    })
  }
  throw error
}
