import type Provider from 'oidc-provider'
import { isAccountPageClient } from '../clients/accountPageClient.ts'
import { isOnAppOrigin } from '../clients/appOrigin.ts'

/**
 * Replaces oidc-provider's exact-match redirect checks: a redirect (after sign-in or sign-out) may go
 * anywhere on the app's origin, loopback names counting as one host, and nowhere else. The account
 * page's client keeps the library's exact match against the one callback its metadata registers.
 */
export function allowRedirectsOnAppOrigin(provider: Provider, issuer: string): void {
  const exactMatch = provider.Client.prototype.redirectUriAllowed
  Object.defineProperty(provider.Client.prototype, 'redirectUriAllowed', {
    value(this: InstanceType<Provider['Client']>, uri: string): boolean {
      return isAccountPageClient(this.clientId, issuer)
        ? exactMatch.call(this, uri)
        : isOnAppOrigin(uri, this.clientId)
    },
  })
  Object.defineProperty(provider.Client.prototype, 'postLogoutRedirectUriAllowed', {
    value(this: { clientId: string }, uri: string): boolean {
      return isOnAppOrigin(uri, this.clientId)
    },
  })
}
