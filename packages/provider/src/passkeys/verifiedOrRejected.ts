import { ProviderError } from '../errors/ProviderError.ts'

/**
 * Awaits one of SimpleWebAuthn's verifications and returns it, verified, or refuses the answer as
 * `passkey_rejected`. The library throws plain errors (no code or class per check) whose wording is
 * for developers, and bytes that do not parse fail deep inside it: that error becomes the refusal's
 * cause, for the log, and the person reads the catalogue's sentence.
 */
export async function verifiedOrRejected<T extends { verified: boolean }>(
  verification: Promise<T>,
): Promise<T & { verified: true }> {
  let result: T
  try {
    result = await verification
  } catch (error) {
    throw new ProviderError('passkey_rejected', { cause: error })
  }
  if (!result.verified) throw new ProviderError('passkey_rejected')
  return result as T & { verified: true }
}
