import type { SecretBox } from '@passkey-id/store'
import type { JWK } from 'jose'
import type { Kysely } from 'kysely'
import type { ProviderDatabase } from '../store/schema.ts'
import { ensureSigningKeys } from './ensureSigningKeys.ts'

/**
 * Loads the signing keys as the private JWKS that oidc-provider takes, generating a current key per
 * algorithm on first start.
 *
 * Order matters, because oidc-provider signs with the first key that fits an algorithm: current keys
 * first; then next keys, published before they sign so that apps have them when they start to;
 * then keys retired less than `keepRetiredForSeconds` ago, published (never used) until the ID
 * tokens they signed have expired.
 *
 * Each private key is opened by `box`: one it cannot open (no or another ENCRYPTION_KEY, a changed
 * value, a clear one while a key is set) stops the start with one line instead of a new key.
 */
export async function loadSigningKeys(
  db: Kysely<ProviderDatabase>,
  keepRetiredForSeconds: number,
  box: SecretBox,
): Promise<{ keys: JWK[] }> {
  await ensureSigningKeys(db, 'current', box)
  const retiredSince = new Date(Date.now() - keepRetiredForSeconds * 1000).toISOString()
  const rows = await db
    .selectFrom('signing_keys')
    .select(['kid', 'private_jwk', 'state'])
    .where((where) =>
      where.or([
        where('state', 'in', ['current', 'next']),
        where.and([where('state', '=', 'retired'), where('updated_at', '>', retiredSince)]),
      ]),
    )
    .orderBy('created_at')
    .execute()
  const ordered = (['current', 'next', 'retired'] as const).flatMap((state) =>
    rows.filter((row) => row.state === state),
  )
  return {
    keys: ordered.map(
      (row) => JSON.parse(box.open(row.private_jwk, `signing_keys/${row.kid}`)) as JWK,
    ),
  }
}
