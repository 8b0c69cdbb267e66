import type { Kysely } from 'kysely'
import type { SignUpDetails } from '../profile/validateSignUp.ts'
import {
  type CeremonySlotOwner,
  readCeremonySlot,
  replaceCeremonySlot,
  takeCeremonySlot,
  writeCeremonySlot,
} from '../store/ceremonySlot.ts'
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

/** How long a person has to answer their authenticator's prompt. */
export const CEREMONY_TIMEOUT_MS = 5 * 60 * 1000

/**
 * Stores the pending ceremony with its owner (the sign-in's Interaction, or the account page's
 * Session), so that any instance can finish it and it disappears with the interaction or session. A
 * new ceremony replaces the old one. Returns false when the owner no longer exists.
 */
export function savePendingCeremony(
  db: Kysely<ProviderDatabase>,
  owner: CeremonySlotOwner,
  ceremony: PendingCeremony,
): Promise<boolean> {
  return writeCeremonySlot(db, owner, JSON.stringify(ceremony))
}

/**
 * Takes the pending ceremony from its owner, so that each challenge is answered at most once: of
 * two racing requests only one has it; the other, like a replay, gets `undefined`. An expired
 * ceremony is taken too, and reported as undefined.
 */
export async function takePendingCeremony(
  db: Kysely<ProviderDatabase>,
  owner: CeremonySlotOwner,
  now = Date.now(),
): Promise<PendingCeremony | undefined> {
  return unexpired(await takeCeremonySlot(db, owner), now)
}

/** What `readPendingCeremony` found: the pending ceremony, and the slot as stored. */
export interface PendingCeremonyRead {
  ceremony: PendingCeremony | undefined
  stored: string | undefined
}

/**
 * The owner's pending ceremony, left in place for its answer (undefined when there is none or it has
 * expired), with the slot as stored: what `replacePendingCeremony` expects to find there.
 */
export async function readPendingCeremony(
  db: Kysely<ProviderDatabase>,
  owner: CeremonySlotOwner,
  now = Date.now(),
): Promise<PendingCeremonyRead> {
  const stored = await readCeremonySlot(db, owner)
  return { ceremony: unexpired(stored, now), stored }
}

/**
 * Stores `ceremony` in place of what `readPendingCeremony` found (`stored`), only if it is still
 * there; false when another request changed it meanwhile, or the owner no longer exists.
 */
export function replacePendingCeremony(
  db: Kysely<ProviderDatabase>,
  owner: CeremonySlotOwner,
  stored: string | undefined,
  ceremony: PendingCeremony,
): Promise<boolean> {
  return replaceCeremonySlot(db, owner, stored, JSON.stringify(ceremony))
}

function unexpired(stored: string | undefined, now: number): PendingCeremony | undefined {
  if (stored === undefined) return undefined
  const ceremony = JSON.parse(stored) as PendingCeremony
  return ceremony.expiresAt > now ? ceremony : undefined
}
