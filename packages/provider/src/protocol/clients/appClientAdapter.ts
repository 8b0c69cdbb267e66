import type { Adapter, AdapterPayload, ResponseType } from 'oidc-provider'
import { ACCOUNT_PAGE_CALLBACK_PATH } from './accountPageClient.ts'
import { isAppOrigin } from './appOrigin.ts'

/**
 * The client "store": there is none. Any app origin is a client, described on the fly as a public
 * web client (no secret) whose redirect URIs the `redirectUriAllowed` override checks by origin,
 * allowed every response type the provider serves (`responseTypes`). The issuer itself is the
 * account page's client, allowed only its own sign-in (see accountPageClient).
 *
 * `redirect_uris` holds a placeholder on the app's origin only because the client schema refuses an
 * empty list; oidc-provider's CORS and sector logic read it as "the app's origin".
 */
export function appClientAdapter(responseTypes: readonly ResponseType[], issuer: string): Adapter {
  const implicit = responseTypes.some((type) => type !== 'code')
  const grantTypes = implicit ? ['authorization_code', 'implicit'] : ['authorization_code']
  const refuse = async (): Promise<never> => {
    throw new Error('apps are not registered: a client is its origin')
  }
  return {
    async find(clientId: string): Promise<AdapterPayload | undefined> {
      if (!isAppOrigin(clientId)) return undefined
      if (clientId === issuer) {
        // The provider's own account page: the code flow to one callback, nothing else.
        return {
          client_id: clientId,
          application_type: 'web',
          token_endpoint_auth_method: 'none',
          grant_types: ['authorization_code'],
          response_types: ['code'],
          redirect_uris: [`${issuer}${ACCOUNT_PAGE_CALLBACK_PATH}`],
          post_logout_redirect_uris: [`${issuer}/account`],
          subject_type: 'pairwise',
        }
      }
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
