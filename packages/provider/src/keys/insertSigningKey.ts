import type { SecretBox } from '@passkey-id/store'
import { calculateJwkThumbprint, exportJWK, generateKeyPair } from 'jose'
import type { Kysely } from 'kysely'
import type { ProviderDatabase } from '../store/schema.ts'

/** The algorithms the provider signs with; RS256 first, so it is what ID tokens use by default. */
export const SIGNING_ALGORITHMS = ['RS256', 'ES256'] as const

/** An algorithm the provider signs with. */
export type SigningAlgorithm = (typeof SIGNING_ALGORITHMS)[number]

/**
 * Generates a key pair for `alg` and stores its private JWK (kid = JWK thumbprint) in `state`, sealed
 * by `box` for its row (`signing_keys/<kid>`), so that the key is unreadable without ENCRYPTION_KEY.
 */
export async function insertSigningKey(
  db: Kysely<ProviderDatabase>,
  alg: SigningAlgorithm,
  state: 'current' | 'next',
  box: SecretBox,
): Promise<string> {
  const { privateKey } = await generateKeyPair(alg, { extractable: true, modulusLength: 2048 })
  const jwk = await exportJWK(privateKey)
  const kid = await calculateJwkThumbprint(jwk)
  const now = new Date().toISOString()
  await db
    .insertInto('signing_keys')
    .values({
      kid,
      alg,
      state,
      private_jwk: box.seal(
        JSON.stringify({ ...jwk, kid, alg, use: 'sig' }),
        `signing_keys/${kid}`,
      ),
      created_at: now,
      updated_at: now,
    })
    .execute()
  return kid
}
