import { createHash, randomBytes } from 'node:crypto'
import type { AdapterPayload } from 'oidc-provider'
import { ROUTES } from '../routes.ts'

/**
 * The provider's own account page signs in as an app of its provider, whose client_id is the issuer.
 * Every decision about that client lives here: which client it is, its one callback, its metadata,
 * the one request it makes (`checkAccountPageRequest` refuses any other), and that it needs no
 * consent page (`loadRememberedGrant`).
 */

/** Where the account page's sign-in comes back to, on the issuer. */
export const ACCOUNT_PAGE_CALLBACK_PATH = '/account/signed-in'

/** Whether `clientId` is the account page's own client rather than an app. */
export function isAccountPageClient(clientId: string | undefined, issuer: string): boolean {
  return clientId === issuer
}

/** The account page's one redirect URI. */
export function accountPageCallbackUrl(issuer: string): string {
  return `${issuer}${ACCOUNT_PAGE_CALLBACK_PATH}`
}

/** The account page's client metadata: the code flow to its one callback, nothing else. */
export function accountPageClientMetadata(issuer: string): AdapterPayload {
  return {
    client_id: issuer,
    application_type: 'web',
    token_endpoint_auth_method: 'none',
    grant_types: ['authorization_code'],
    response_types: ['code'],
    redirect_uris: [accountPageCallbackUrl(issuer)],
    post_logout_redirect_uris: [`${issuer}/account`],
    subject_type: 'pairwise',
  }
}

/** The parameters of the one request the account page's client may make (see `checkAccountPageRequest`). */
export function accountPageRequestParameters(issuer: string): Record<string, string> {
  return {
    client_id: issuer,
    response_type: 'code',
    scope: 'openid',
    redirect_uri: accountPageCallbackUrl(issuer),
  }
}

/**
 * The authorization URL that signs a person in to the account page; `confirm` asks for the passkey
 * even when the person is signed in (for actions that need a recent sign-in). Its code is never
 * redeemed: the sign-in session is what the page needs, and oidc-provider sets that before
 * redirecting. The PKCE verifier is thrown away, so nobody else can redeem the code either.
 */
export function accountPageAuthorizationUrl(issuer: string, options: { confirm: boolean }): string {
  const url = new URL(ROUTES.authorization, issuer)
  url.search = new URLSearchParams({
    ...accountPageRequestParameters(issuer),
    code_challenge: createHash('sha256').update(randomBytes(32)).digest('base64url'),
    code_challenge_method: 'S256',
    ...(options.confirm ? { prompt: 'login' } : {}),
  }).toString()
  return url.href
}
