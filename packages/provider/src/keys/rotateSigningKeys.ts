import type { SecretBox } from '@passkey-id/store'
import type { Kysely } from 'kysely'
import type { ProviderDatabase } from '../store/schema.ts'
import { ensureSigningKeys } from './ensureSigningKeys.ts'
import { findSigningKey } from './findSigningKey.ts'
import { SIGNING_ALGORITHMS } from './insertSigningKey.ts'

/** A signing key as `keys list` shows it (never the private part). */
export interface SigningKeySummary {
  kid: string
  alg: string
  state: 'next' | 'current' | 'retired'
  createdAt: string
  updatedAt: string
}

/** Every signing key, newest first. */
export async function listSigningKeys(db: Kysely<ProviderDatabase>): Promise<SigningKeySummary[]> {
  const rows = await db
    .selectFrom('signing_keys')
    .select(['kid', 'alg', 'state', 'created_at', 'updated_at'])
    .orderBy('created_at', 'desc')
    .execute()
  return rows.map((row) => ({
    kid: row.kid,
    alg: row.alg,
    state: row.state,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  }))
}

/**
 * Step 1 of a rotation: a next key per algorithm (unless one is waiting already). Once instances
 * restart they publish it, and apps that cache the JWKS learn it before it signs anything.
 * Returns the kids added; their private keys are sealed by `box`.
 *
 * The current keys are opened first, so that a run without ENCRYPTION_KEY (or with another one)
 * is refused in one line instead of adding keys sealed unlike the others, which would stop the
 * next start.
 */
export async function addNextSigningKeys(
  db: Kysely<ProviderDatabase>,
  box: SecretBox,
): Promise<string[]> {
  const current = await db
    .selectFrom('signing_keys')
    .select(['kid', 'private_jwk'])
    .where('state', '=', 'current')
    .execute()
  for (const row of current) box.open(row.private_jwk, `signing_keys/${row.kid}`)
  return ensureSigningKeys(db, 'next', box)
}

/**
 * Step 2: each next key becomes current, and the current key it replaces is retired. After a restart
 * the new keys sign; retired keys stay published until the ID tokens they signed have expired.
 * Returns the kids promoted; none when no next key was waiting (run step 1 first).
 */
export async function promoteNextSigningKeys(db: Kysely<ProviderDatabase>): Promise<string[]> {
  return db.transaction().execute(async (trx) => {
    const promoted: string[] = []
    const now = new Date().toISOString()
    for (const alg of SIGNING_ALGORITHMS) {
      const next = await findSigningKey(trx, alg, 'next')
      if (next === undefined) continue
      await trx
        .updateTable('signing_keys')
        .set({ state: 'retired', updated_at: now })
        .where('alg', '=', alg)
        .where('state', '=', 'current')
        .execute()
      await trx
        .updateTable('signing_keys')
        .set({ state: 'current', updated_at: now })
        .where('kid', '=', next)
        .execute()
      promoted.push(next)
    }
    return promoted
  })
}
