import type { KoaContextWithOIDC } from 'oidc-provider'
import { isAccountPageClient } from '../clients/accountPageClient.ts'
import type { ConsentStore } from './consentStore.ts'

type Grant = InstanceType<KoaContextWithOIDC['oidc']['provider']['Grant']>

/**
 * oidc-provider's `loadExistingGrant`, for remembered consent: an account's approval for an app
 * holds in any browser, after a restart and after a sign-out, not only within the session that gave
 * it (the library's default). The grant the session names is topped up with every remembered scope;
 * without a remembered consent there is no grant, even when the session still names one: the person
 * revoked the app (perhaps while this sign-in was under way), so the consent page asks again.
 *
 * The account page's own client needs no consent page: the person is on their own provider, so
 * there is nothing to allow beyond knowing who they are (`openid`).
 */
export async function loadRememberedGrant(
  ctx: KoaContextWithOIDC,
  consents: ConsentStore,
  issuer: string,
): Promise<Grant | undefined> {
  const { Grant } = ctx.oidc.provider
  const clientId = ctx.oidc.client?.clientId
  const accountId = ctx.oidc.session?.accountId
  if (clientId === undefined || accountId === undefined) return undefined
  const remembered = isAccountPageClient(clientId, issuer)
    ? ['openid']
    : await consents.scopesFor(accountId, clientId)
  if (remembered.length === 0) return undefined
  const grantId = ctx.oidc.result?.consent?.grantId ?? ctx.oidc.session?.grantIdFor(clientId)
  const existing = grantId === undefined ? undefined : await Grant.find(grantId)
  const grant = existing ?? new Grant({ accountId, clientId })
  const granted = grant.getOIDCScope().split(' ')
  const missing = remembered.filter((scope) => !granted.includes(scope))
  if (missing.length > 0) {
    grant.addOIDCScope(missing.join(' '))
    await grant.save()
  }
  return grant
}
