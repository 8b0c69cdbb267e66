import type Provider from 'oidc-provider'
import { ProviderError } from '../../errors/ProviderError.ts'
import { renderProtocolError } from '../renderProtocolError.ts'

type ProviderMiddleware = Parameters<Provider['use']>[0]

/** The most bytes of any one parameter of an authorization request. */
export const MAX_PARAMETER_BYTES = 2048

/**
 * Refuses, with a page, an authorization request with a parameter longer than
 * `MAX_PARAMETER_BYTES` (in UTF-8): `state`, `nonce`, `redirect_uri`, `scope` and the rest.
 * oidc-provider keeps every parameter of an unfinished sign-in with its interaction, so one client
 * could otherwise store kilobytes per request without signing in. The refusal comes before
 * oidc-provider has checked the redirect_uri, so the browser is sent nowhere. The endpoint takes GET
 * only (oidc-provider's POST form is off), so the query is all there is to read. (A sign-out's
 * `state` is kept too, but only in the session of the browser that sent it, replaced each time.)
 */
export function refuseOversizedParameters(authorizationPath: string): ProviderMiddleware {
  return async (ctx, next) => {
    if (ctx.path !== authorizationPath) return next()
    for (const [name, value] of new URLSearchParams(ctx.querystring)) {
      const bytes = Buffer.byteLength(value)
      if (bytes > MAX_PARAMETER_BYTES) {
        const refused = new ProviderError('parameter_too_long', {
          name,
          bytes,
          max: MAX_PARAMETER_BYTES,
        })
        renderProtocolError(ctx, refused)
        return
      }
    }
    return next()
  }
}
