import type Provider from 'oidc-provider'
import { renderProtocolError } from '../renderProtocolError.ts'

type ProviderMiddleware = Parameters<Provider['use']>[0]

/** Where the account page's sign-in comes back to, on the issuer. */
export const ACCOUNT_PAGE_CALLBACK_PATH = '/account/signed-in'

/**
 * The provider's own account page signs in as an app whose client_id is the issuer. It gets its
 * consent without a page (see `loadExistingGrant`), so nobody else may use that client_id for
 * anything but exactly the account page's request: the code flow, the `openid` scope, the query
 * response mode and the one callback. Anything else would let another site obtain tokens or codes
 * for a signed-in person without them seeing a thing (found in review: an ID token in a fragment
 * carried across a redirect chain to another origin).
 */
export function accountPageRequests(options: {
  issuer: string
  authorizationPath: string
}): ProviderMiddleware {
  const { issuer, authorizationPath } = options
  const expected: Record<string, string | undefined> = {
    response_type: 'code',
    scope: 'openid',
    redirect_uri: `${issuer}${ACCOUNT_PAGE_CALLBACK_PATH}`,
  }
  return async (ctx, next) => {
    if (ctx.path !== authorizationPath || !ctx.querystring.includes('client_id')) return next()
    const query = ctx.method === 'GET' ? ctx.query : {}
    const clientIds = new URLSearchParams(ctx.querystring).getAll('client_id')
    if (!clientIds.includes(issuer)) return next()
    const exact =
      Object.entries(expected).every(([name, value]) => query[name] === value) &&
      (query.response_mode === undefined || query.response_mode === 'query') &&
      Object.values(query).every((value) => typeof value === 'string')
    if (exact) return next()
    ctx.status = 400
    renderProtocolError(ctx, {
      error: 'invalid_request',
      error_description: `the client_id ${issuer} belongs to this provider's own account page, and only its sign-in may use it. An app's client_id is the app's own origin`,
    })
  }
}
