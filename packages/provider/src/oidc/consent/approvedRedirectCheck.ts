import type { KoaContextWithOIDC, interactionPolicy as policy } from 'oidc-provider'
import { interactionPolicy } from '../../oidcProviderLibrary.ts'
import type { ConsentStore } from './consentStore.ts'

/** The consent prompt's reason when a fragment or form_post would reach a new redirect URI. */
export const NEW_REDIRECT_URI = 'redirect_uri_not_approved'

/**
 * A check of the consent prompt: a response that carries a token or a code in the fragment or in a
 * form_post goes out without the consent page only to a redirect URI the person has allowed,
 * exactly, for this app (`ConsentStore.redirectUrisFor`); any other gets the consent page, which
 * names it. RFC 9700, sections 2.1 and 4.1.
 *
 * Redirects may go anywhere on the app's origin (`allowRedirectsOnAppOrigin`), so an open redirector
 * there (`https://app.example/go?to=...`) would otherwise carry a fragment on to any site: the
 * browser keeps the fragment across the app's 302, and an app the person once allowed is answered
 * at once. A query response needs no such check: a redirector does not forward its own query, and
 * the code in it is worthless without the PKCE verifier of the app that asked.
 */
export function approvedRedirectCheck(consents: ConsentStore): policy.Check {
  return new interactionPolicy.Check(
    NEW_REDIRECT_URI,
    'the response would reach a redirect_uri not approved for this app',
    'consent_required',
    async (ctx) => {
      const { responseMode, session, client, params } = ctx.oidc
      const accountId = session?.accountId
      if (responseMode === 'query' || accountId === undefined || client === undefined)
        return interactionPolicy.Check.NO_NEED_TO_PROMPT
      const approved = await consents.redirectUrisFor(accountId, client.clientId)
      return !approved.includes(String(params?.redirect_uri))
    },
    (ctx: KoaContextWithOIDC) => ({ redirectUri: ctx.oidc.params?.redirect_uri }),
  )
}
