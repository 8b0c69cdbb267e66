import type Provider from 'oidc-provider'
import { ProviderError } from '../../errors/ProviderError.ts'
import { accountPageRequestParameters } from '../clients/accountPageClient.ts'
import { renderProtocolError } from '../renderProtocolError.ts'

type ProviderMiddleware = Parameters<Provider['use']>[0]

/**
 * The account page's client (client_id = the issuer) gets its consent without a page, so nobody
 * else may use that client_id for anything but exactly the account page's request: the code flow,
 * the `openid` scope, the query response mode and the one callback. Anything else would let another
 * site obtain tokens or codes for a signed-in person without them seeing a thing (found in review:
 * an ID token in a fragment carried across a redirect chain to another origin).
 *
 * Parameters are read decoded, as oidc-provider reads them: `client%5Fid` is `client_id`.
 */
export function checkAccountPageRequest(options: {
  issuer: string
  authorizationPath: string
}): ProviderMiddleware {
  const { issuer, authorizationPath } = options
  const expected = Object.entries(accountPageRequestParameters(issuer))
  return async (ctx, next) => {
    if (ctx.path !== authorizationPath) return next()
    const params = new URLSearchParams(ctx.querystring)
    if (!params.getAll('client_id').includes(issuer)) return next()
    const query = ctx.method === 'GET' ? ctx.query : {}
    const exact =
      expected.every(([name, value]) => query[name] === value) &&
      (query.response_mode === undefined || query.response_mode === 'query') &&
      Object.values(query).every((value) => typeof value === 'string')
    if (exact) return next()
    renderProtocolError(ctx, new ProviderError('account_page_client_only', { issuer }))
  }
}
