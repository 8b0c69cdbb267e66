import type { SecretBox } from '@passkey-id/store'
import type { Kysely } from 'kysely'
import type { ProviderDatabase } from '../store/schema.ts'
import { findSigningKey } from './findSigningKey.ts'
import { insertSigningKey, SIGNING_ALGORITHMS } from './insertSigningKey.ts'

/**
 * Makes sure each signing algorithm has a key in `state`, generating the missing ones, and returns
 * the kids it added: current keys on a provider's first start, next keys at step 1 of a rotation.
 * New keys are sealed by `box`.
 */
export async function ensureSigningKeys(
  db: Kysely<ProviderDatabase>,
  state: 'current' | 'next',
  box: SecretBox,
): Promise<string[]> {
  const added: string[] = []
  for (const alg of SIGNING_ALGORITHMS) {
    if ((await findSigningKey(db, alg, state)) === undefined)
      added.push(await insertSigningKey(db, alg, state, box))
  }
  return added
}
