import type { Kysely } from 'kysely'
import type Provider from 'oidc-provider'
import { deleteGrants, grantIdsOfAccount } from '../../store/deleteGrants.ts'
import type { ProviderDatabase } from '../../store/schema.ts'
import type { ConsentStore } from './consentStore.ts'

/**
 * Takes back what `accountId` allowed `clientId`: the remembered consent first (from then on no
 * sign-in is granted without the consent page), then the app's grants, found through oidc-provider's
 * Grant model, with every code and token issued under them, so the app's tokens stop working.
 * Returns false if there was nothing to revoke.
 */
export async function revokeConsent(
  provider: Provider,
  db: Kysely<ProviderDatabase>,
  consents: ConsentStore,
  accountId: string,
  clientId: string,
): Promise<boolean> {
  const forgotten = await consents.forget(accountId, clientId)
  const grants = await Promise.all(
    (await grantIdsOfAccount(db, accountId)).map((id) => provider.Grant.find(id)),
  )
  const revoked = grants.flatMap((grant) =>
    grant?.clientId === clientId && grant.jti !== undefined ? [grant.jti] : [],
  )
  await deleteGrants(db, revoked)
  return forgotten || revoked.length > 0
}
