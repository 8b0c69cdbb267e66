import type { Expression, ExpressionBuilder, Kysely, SqlBool } from 'kysely'
import type { ProviderDatabase } from './schema.ts'

/**
 * The oidc-provider record that holds a pending WebAuthn ceremony in its `webauthn_challenge`
 * column: the sign-in's Interaction, or, on the account page, the signed-in Session.
 */
export interface CeremonySlotOwner {
  model: 'Interaction' | 'Session'
  id: string
}

/**
 * What an Interaction's slot holds once the interaction created an account: no ceremony starts in it
 * again, so one interaction creates at most one account (see `claimSignUp`).
 */
const SIGNED_UP = 'signed-up'

/**
 * Writes `value` into the owner's ceremony slot, replacing what was there. Kept in the owner's own
 * row (not in process memory), so any instance can finish the ceremony and it goes with the record.
 * Returns false when the owner no longer exists, or has created an account.
 */
export function writeCeremonySlot(
  db: Kysely<ProviderDatabase>,
  owner: CeremonySlotOwner,
  value: string,
): Promise<boolean> {
  return updateSlot(db, owner, value, (where) =>
    where.or([
      where('webauthn_challenge', 'is', null),
      where('webauthn_challenge', '!=', SIGNED_UP),
    ]),
  )
}

/**
 * Puts `value` in the slot only if the slot still holds `expected` (undefined: empty), and says
 * whether it did: of two requests that read the slot and start a ceremony at once, one wins, and the
 * other can read the winner's instead of voiding it.
 */
export function replaceCeremonySlot(
  db: Kysely<ProviderDatabase>,
  owner: CeremonySlotOwner,
  expected: string | undefined,
  value: string,
): Promise<boolean> {
  return updateSlot(db, owner, value, (where) =>
    expected === undefined
      ? where('webauthn_challenge', 'is', null)
      : where('webauthn_challenge', '=', expected),
  )
}

/** Puts `value` in the owner's slot where `condition` holds; true if a row was updated. */
async function updateSlot(
  db: Kysely<ProviderDatabase>,
  owner: CeremonySlotOwner,
  value: string,
  condition: (where: ExpressionBuilder<ProviderDatabase, 'oidc_records'>) => Expression<SqlBool>,
): Promise<boolean> {
  const result = await db
    .updateTable('oidc_records')
    .set({ webauthn_challenge: value })
    .where('model', '=', owner.model)
    .where('id', '=', owner.id)
    .where(condition)
    .executeTakeFirst()
  return result.numUpdatedRows > 0n
}

/**
 * Marks the interaction as having created its account, or returns false when it already has: the
 * conditional update lets one of two racing sign-ups through (each took a ceremony of its own), so
 * one interaction creates at most one account, on any number of instances.
 */
export async function claimSignUp(
  db: Kysely<ProviderDatabase>,
  interactionUid: string,
): Promise<boolean> {
  return writeCeremonySlot(db, { model: 'Interaction', id: interactionUid }, SIGNED_UP)
}

/** Takes back `claimSignUp` when the account could not be created after all (a username taken). */
export async function releaseSignUp(
  db: Kysely<ProviderDatabase>,
  interactionUid: string,
): Promise<void> {
  await db
    .updateTable('oidc_records')
    .set({ webauthn_challenge: null })
    .where('model', '=', 'Interaction')
    .where('id', '=', interactionUid)
    .where('webauthn_challenge', '=', SIGNED_UP)
    .execute()
}

/**
 * Whether the interaction created an account (`claimSignUp`): the step after a sign-up, which
 * verifies the new account's address, is offered to that interaction only.
 */
export async function hasSignedUp(
  db: Kysely<ProviderDatabase>,
  interactionUid: string,
): Promise<boolean> {
  const row = await db
    .selectFrom('oidc_records')
    .select('webauthn_challenge')
    .where('model', '=', 'Interaction')
    .where('id', '=', interactionUid)
    .executeTakeFirst()
  return row?.webauthn_challenge === SIGNED_UP
}

/**
 * What the owner's ceremony slot holds, left in place, or undefined when it holds no ceremony (empty,
 * or an interaction that created its account).
 */
export async function readCeremonySlot(
  db: Kysely<ProviderDatabase>,
  owner: CeremonySlotOwner,
): Promise<string | undefined> {
  const row = await db
    .selectFrom('oidc_records')
    .select('webauthn_challenge')
    .where('model', '=', owner.model)
    .where('id', '=', owner.id)
    .executeTakeFirst()
  const stored = row?.webauthn_challenge
  return stored === null || stored === undefined || stored === SIGNED_UP ? undefined : stored
}

/**
 * Empties the owner's ceremony slot and returns what it held, or undefined. The compare-and-clear
 * update lets only one of two racing requests have the value; the other, like a replay, gets
 * undefined.
 */
export async function takeCeremonySlot(
  db: Kysely<ProviderDatabase>,
  owner: CeremonySlotOwner,
): Promise<string | undefined> {
  const stored = await readCeremonySlot(db, owner)
  if (stored === undefined) return undefined
  const result = await db
    .updateTable('oidc_records')
    .set({ webauthn_challenge: null })
    .where('model', '=', owner.model)
    .where('id', '=', owner.id)
    .where('webauthn_challenge', '=', stored)
    .executeTakeFirst()
  return result.numUpdatedRows === 0n ? undefined : stored
}
