import { randomBytes } from 'node:crypto'
import type Provider from 'oidc-provider'
import type { LegacyFlows } from '../../config.ts'
import { ProviderError } from '../../errors/ProviderError.ts'
import { isAppOrigin, isLoopbackApp } from '../clients/appOrigin.ts'
import { renderProtocolError } from '../renderProtocolError.ts'

type ProviderMiddleware = Parameters<Provider['use']>[0]

/**
 * Serves `response_type=token` alone, the implicit flow that Swagger UI and FastAPI's docs pages
 * send (with no nonce), which oidc-provider refuses to serve at all.
 *
 * In front of the authorization endpoint, a GET whose response_type is exactly `token` becomes an
 * `id_token token` request, the OpenID Connect form oidc-provider serves: `openid` is added to the
 * scope (userinfo answers only tokens that carry it) and a nonce made here is added when there is
 * none (an ID token response requires one; the app never sees this ID token's nonce and does not
 * need to). The app gets its access token in the fragment, with an ID token beside it that it may
 * ignore. Everything else (client, redirect URI, consent, response mode) oidc-provider checks as
 * for any request.
 *
 * The LEGACY_FLOWS policy decides which apps may do this. A refused app gets a 400 page naming the
 * fix, not an OAuth error redirect: the refusal is decided here, before oidc-provider has checked
 * the redirect_uri, so there is no trusted place to send the browser to; and the fix is for the
 * app's developer, who reads a page better than an error code in a popup. A request whose client_id
 * is no app origin passes through untouched, for oidc-provider's own client_id error page.
 */
export function checkBareTokenRequest(options: {
  authorizationPath: string
  legacyFlows: LegacyFlows
}): ProviderMiddleware {
  const { authorizationPath, legacyFlows } = options
  return async (ctx, next) => {
    const { client_id: clientId, response_type: responseType } = ctx.query
    if (
      ctx.method !== 'GET' ||
      ctx.path !== authorizationPath ||
      responseType !== 'token' ||
      typeof clientId !== 'string' ||
      !isAppOrigin(clientId)
    ) {
      return next()
    }
    if (!allowsBareToken(legacyFlows, clientId)) {
      renderProtocolError(
        ctx,
        new ProviderError(
          legacyFlows === 'off' ? 'implicit_flow_off' : 'implicit_flow_loopback_only',
        ),
      )
      return
    }
    ctx.querystring = asIdTokenTokenRequest(new URLSearchParams(ctx.querystring)).toString()
    return next()
  }
}

function allowsBareToken(legacyFlows: LegacyFlows, clientId: string): boolean {
  if (legacyFlows === 'on') return true
  return legacyFlows === 'loopback' && isLoopbackApp(clientId)
}

/**
 * The `id_token token` form of a bare token request. A repeated scope is left as it is, for
 * oidc-provider to refuse as it refuses every repeated parameter.
 */
function asIdTokenTokenRequest(params: URLSearchParams): URLSearchParams {
  params.set('response_type', 'id_token token')
  const scopes = params.getAll('scope')
  if (scopes.length <= 1) {
    const scope = (scopes[0] ?? '').split(' ').filter((value) => value !== '')
    if (!scope.includes('openid')) params.set('scope', ['openid', ...scope].join(' '))
  }
  if (!params.has('nonce')) params.set('nonce', randomBytes(16).toString('base64url'))
  return params
}
