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
  | { kind: 'new-passkey'; challenge: string; expiresAt: number; accountId: string }

/**
 * The protocol record a ceremony is kept in: the sign-in's Interaction, or, on the account page, the
 * signed-in Session.
 */
export interface CeremonyOwner {
  model: 'Interaction' | 'Session'
  id: string
}

/** How long a person has to answer their authenticator's prompt. */
export const CEREMONY_TIMEOUT_MS = 5 * 60 * 1000

/**
 * Stores the pending ceremony in its owner's own record (not in process memory), so that any
 * instance can finish it and it disappears with the interaction or session. A new ceremony replaces
 * the old one. Returns false when the owner no longer exists.
 */
export async function savePendingCeremony(
  db: Kysely<ProviderDatabase>,
  owner: CeremonyOwner,
  ceremony: PendingCeremony,
): Promise<boolean> {
  const result = await db
    .updateTable('oidc_records')
    .set({ webauthn_challenge: JSON.stringify(ceremony) })
    .where('model', '=', owner.model)
    .where('id', '=', owner.id)
    .executeTakeFirst()
  return result.numUpdatedRows > 0n
}

/**
 * Takes the pending ceremony out of its owner's record, so that each challenge is answered at
 * most once. The compare-and-clear update lets only one of two racing requests have it; the other,
 * like a replay, gets `undefined`. An expired ceremony is taken too, and reported as undefined.
 */
export async function takePendingCeremony(
  db: Kysely<ProviderDatabase>,
  owner: CeremonyOwner,
  now = Date.now(),
): Promise<PendingCeremony | undefined> {
  const row = await db
    .selectFrom('oidc_records')
    .select('webauthn_challenge')
    .where('model', '=', owner.model)
    .where('id', '=', owner.id)
    .executeTakeFirst()
  const stored = row?.webauthn_challenge
  if (stored === null || stored === undefined) return undefined
  const result = await db
    .updateTable('oidc_records')
    .set({ webauthn_challenge: null })
    .where('model', '=', owner.model)
    .where('id', '=', owner.id)
    .where('webauthn_challenge', '=', stored)
    .executeTakeFirst()
  if (result.numUpdatedRows === 0n) return undefined
  const ceremony = JSON.parse(stored) as PendingCeremony
  return ceremony.expiresAt > now ? ceremony : undefined
}
