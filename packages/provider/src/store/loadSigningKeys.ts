import { calculateJwkThumbprint, exportJWK, generateKeyPair, type JWK } from 'jose'
import type { Kysely } from 'kysely'
import type { ProviderDatabase } from './schema.ts'

/** The algorithms the provider signs with; RS256 first, so it is what ID tokens use by default. */
export const SIGNING_ALGORITHMS = ['RS256', 'ES256'] as const

/**
 * Loads the signing keys as the private JWKS that oidc-provider takes, generating a current key per
 * algorithm on first start.
 *
 * Current keys come first because oidc-provider signs with the first key that fits an algorithm;
 * next keys follow so that they are published before they sign; retired keys are left out.
 */
export async function loadSigningKeys(db: Kysely<ProviderDatabase>): Promise<{ keys: JWK[] }> {
  for (const alg of SIGNING_ALGORITHMS) {
    const current = await db
      .selectFrom('signing_keys')
      .select('kid')
      .where('alg', '=', alg)
      .where('state', '=', 'current')
      .executeTakeFirst()
    if (current === undefined) await insertCurrentKey(db, alg)
  }
  const rows = await db
    .selectFrom('signing_keys')
    .select(['private_jwk', 'state'])
    .where('state', 'in', ['current', 'next'])
    .orderBy('created_at')
    .execute()
  const ordered = [
    ...rows.filter((row) => row.state === 'current'),
    ...rows.filter((row) => row.state === 'next'),
  ]
  return { keys: ordered.map((row) => JSON.parse(row.private_jwk) as JWK) }
}

async function insertCurrentKey(
  db: Kysely<ProviderDatabase>,
  alg: (typeof SIGNING_ALGORITHMS)[number],
) {
  const { privateKey } = await generateKeyPair(alg, { extractable: true, modulusLength: 2048 })
  const jwk = await exportJWK(privateKey)
  const kid = await calculateJwkThumbprint(jwk)
  const now = new Date().toISOString()
  const privateJwk = JSON.stringify({ ...jwk, kid, alg, use: 'sig' })
  await db
    .insertInto('signing_keys')
    .values({
      kid,
      alg,
      state: 'current',
      private_jwk: privateJwk,
      created_at: now,
      updated_at: now,
    })
    .execute()
}
