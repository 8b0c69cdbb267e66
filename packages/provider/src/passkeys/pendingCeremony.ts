import type { Kysely } from 'kysely'
import type { SignUpDetails } from '../accounts/validateSignUp.ts'
import type { ProviderDatabase } from '../store/schema.ts'

/** A WebAuthn ceremony that was started and awaits the browser's answer. */
export type PendingCeremony =
  | { kind: 'authentication'; challenge: string; expiresAt: number }
  | {
      kind: 'registration'
      challenge: string
      expiresAt: number
      signUp: SignUpDetails & { userHandle: string }
    }

/** How long a person has to answer their authenticator's prompt. */
export const CEREMONY_TIMEOUT_MS = 5 * 60 * 1000

/**
 * Stores the pending ceremony in the interaction's own record (not in process memory), so that any
 * instance can finish it and it disappears with the interaction. A new ceremony replaces the old one.
 * Returns false when the interaction no longer exists.
 */
export async function savePendingCeremony(
  db: Kysely<ProviderDatabase>,
  interactionUid: string,
  ceremony: PendingCeremony,
): Promise<boolean> {
  const result = await db
    .updateTable('oidc_records')
    .set({ webauthn_challenge: JSON.stringify(ceremony) })
    .where('model', '=', 'Interaction')
    .where('id', '=', interactionUid)
    .executeTakeFirst()
  return result.numUpdatedRows > 0n
}

/**
 * Takes the pending ceremony out of the interaction's record, so that each challenge is answered at
 * most once. The compare-and-clear update lets only one of two racing requests have it; the other,
 * like a replay, gets `undefined`. An expired ceremony is taken too, and reported as undefined.
 */
export async function takePendingCeremony(
  db: Kysely<ProviderDatabase>,
  interactionUid: string,
  now = Date.now(),
): Promise<PendingCeremony | undefined> {
  const row = await db
    .selectFrom('oidc_records')
    .select('webauthn_challenge')
    .where('model', '=', 'Interaction')
    .where('id', '=', interactionUid)
    .executeTakeFirst()
  const stored = row?.webauthn_challenge
  if (stored === null || stored === undefined) return undefined
  const result = await db
    .updateTable('oidc_records')
    .set({ webauthn_challenge: null })
    .where('model', '=', 'Interaction')
    .where('id', '=', interactionUid)
    .where('webauthn_challenge', '=', stored)
    .executeTakeFirst()
  if (result.numUpdatedRows === 0n) return undefined
  const ceremony = JSON.parse(stored) as PendingCeremony
  return ceremony.expiresAt > now ? ceremony : undefined
}
