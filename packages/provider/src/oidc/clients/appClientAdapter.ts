import type { Adapter, AdapterPayload, ResponseType } from 'oidc-provider'
import { accountPageClientMetadata, isAccountPageClient } from './accountPageClient.ts'
import { isAppOrigin } from './appOrigin.ts'
import { isAllowedApp } from './isAllowedApp.ts'

/**
 * The client "store": there is none. Any app origin is a client, described on the fly as a public
 * web client (no secret) whose redirect URIs the `redirectUriAllowed` override checks by origin,
 * allowed every response type the provider serves (`responseTypes`). The issuer itself is the
 * account page's client, allowed only its own sign-in (see accountPageClient). An app that
 * ALLOWED_APPS leaves out (`allowedApps`) is no client at all, at every endpoint.
 *
 * `redirect_uris` holds a placeholder on the app's origin only because the client schema refuses an
 * empty list; oidc-provider's CORS and sector logic read it as "the app's origin".
 */
export function appClientAdapter(
  responseTypes: readonly ResponseType[],
  issuer: string,
  allowedApps: readonly string[] = [],
): Adapter {
  const implicit = responseTypes.some((type) => type !== 'code')
  const grantTypes = implicit ? ['authorization_code', 'implicit'] : ['authorization_code']
  const refuse = async (): Promise<never> => {
    throw new Error('apps are not registered: a client is its origin')
  }
  return {
    async find(clientId: string): Promise<AdapterPayload | undefined> {
      if (!isAppOrigin(clientId)) return undefined
      if (isAccountPageClient(clientId, issuer)) return accountPageClientMetadata(issuer)
      if (!isAllowedApp(clientId, allowedApps)) return undefined
      return {
        client_id: clientId,
        application_type: 'web',
        token_endpoint_auth_method: 'none',
        grant_types: grantTypes,
        response_types: [...responseTypes],
        redirect_uris: [`${clientId}/`],
        post_logout_redirect_uris: [`${clientId}/`],
        subject_type: 'pairwise',
      }
    },
    upsert: refuse,
    findByUid: refuse,
    findByUserCode: refuse,
    consume: refuse,
    destroy: refuse,
    revokeByGrantId: refuse,
  }
}
