import { CeremonyError } from './CeremonyError.ts'

/** The answer matches no pending ceremony: replayed, out of order, or too late. */
export function staleCeremony(): CeremonyError {
  return new CeremonyError(
    400,
    'stale_challenge',
    'This passkey request was already used or has expired. Press the button again to start over.',
  )
}
