import type { Kysely } from 'kysely'
import type { ProviderDatabase } from '../store/schema.ts'
import type { SigningAlgorithm } from './insertSigningKey.ts'

/** The kid of the oldest key of `alg` in `state`, if there is one. */
export async function findSigningKey(
  db: Kysely<ProviderDatabase>,
  alg: SigningAlgorithm,
  state: 'current' | 'next',
): Promise<string | undefined> {
  const row = await db
    .selectFrom('signing_keys')
    .select('kid')
    .where('alg', '=', alg)
    .where('state', '=', state)
    .orderBy('created_at')
    .executeTakeFirst()
  return row?.kid
}
