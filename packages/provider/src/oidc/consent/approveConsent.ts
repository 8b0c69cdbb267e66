import type Provider from 'oidc-provider'
import { ProviderError } from '../../errors/ProviderError.ts'
import { isScope } from '../scopes.ts'
import { APPS_PER_ACCOUNT, type ConsentStore } from './consentStore.ts'

type Interaction = Awaited<ReturnType<Provider['interactionDetails']>>

/**
 * The person allowed the app on the consent page: grants what the consent prompt found missing and
 * remembers it for this account and app, with the redirect URI the page named, so the same request
 * needs no consent page again (see `loadRememberedGrant` and `approvedRedirectCheck`). Returns the
 * grant's id for oidc-provider's interaction result. A new app past `APPS_PER_ACCOUNT` is refused.
 */
export async function approveConsent(
  provider: Provider,
  consents: ConsentStore,
  interaction: Interaction,
): Promise<string> {
  const accountId = String(interaction.session?.accountId)
  const clientId = String(interaction.params.client_id)
  const grant =
    interaction.grantId === undefined
      ? new provider.Grant({ accountId, clientId })
      : await provider.Grant.find(interaction.grantId)
  if (grant === undefined) throw new ProviderError('interaction_expired')
  const details = interaction.prompt.details as {
    missingOIDCScope?: string[]
    missingOIDCClaims?: string[]
  }
  if (details.missingOIDCScope !== undefined) grant.addOIDCScope(details.missingOIDCScope.join(' '))
  if (details.missingOIDCClaims !== undefined) grant.addOIDCClaims(details.missingOIDCClaims)
  // Remembered first: an account that allows as many apps as it may gets no grant for a new one.
  const remembered = await consents.remember(
    accountId,
    clientId,
    grant.getOIDCScope().split(' ').filter(isScope),
    String(interaction.params.redirect_uri),
  )
  if (!remembered) throw new ProviderError('too_many_apps', { max: APPS_PER_ACCOUNT })
  return grant.save()
}
