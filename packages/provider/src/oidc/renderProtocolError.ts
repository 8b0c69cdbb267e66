import type { ParameterizedContext } from 'koa'
import type { KoaContextWithOIDC } from 'oidc-provider'
import { ProviderError } from '../errors/ProviderError.ts'
import { messagePage } from '../ui/messagePage.ts'
import { canonicalAppOrigin } from './clients/appOrigin.ts'
import { isAllowedApp } from './clients/isAllowedApp.ts'

/** The request parameters an error page explains, where they are single strings. */
interface ErrorParams {
  clientId: string | undefined
  redirectUri: string | undefined
  postLogoutRedirectUri: string | undefined
  responseType: string | undefined
  /** Whether the request has no client_id at all (absent or empty, not repeated). */
  noClientId: boolean
  /** Whether the request has no redirect_uri at all (absent or empty, not repeated). */
  noRedirectUri: boolean
}

/** An OAuth error as oidc-provider hands it to `renderError`. */
interface ProtocolError {
  error: string
  error_description?: string
}

/**
 * The page shown when a sign-in or sign-out request cannot be sent back to the app (a bad client_id
 * or redirect_uri, say): it names the problem and, for the app's developer, the fix. `ctx` is
 * oidc-provider's, or a plain Koa context in front of it (no `oidc` yet: the query is read instead).
 *
 * `refused` is oidc-provider's error, or one of the provider's own checks' refusals (whose status
 * it sets). The sentence always comes from the error catalogue, chosen by the error and the
 * request's parameters; oidc-provider's `error` and `error_description` are shown only below it,
 * in the details for the app's developer.
 */
export function renderProtocolError(
  ctx: ParameterizedContext & { oidc?: KoaContextWithOIDC['oidc'] },
  refused: ProtocolError | ProviderError,
  allowedApps: readonly string[] = [],
): void {
  const raw = (ctx.oidc?.params ?? ctx.query) as Record<string, unknown>
  const text = (name: string) => (typeof raw[name] === 'string' ? raw[name] : undefined)
  const absent = (name: string) => raw[name] === undefined || raw[name] === ''
  const params: ErrorParams = {
    // On sign-out the app may be named only by the id_token_hint, which oidc-provider has read.
    clientId: text('client_id') ?? ctx.oidc?.client?.clientId,
    redirectUri: text('redirect_uri'),
    postLogoutRedirectUri: text('post_logout_redirect_uri'),
    responseType: text('response_type'),
    noClientId: absent('client_id'),
    noRedirectUri: absent('redirect_uri'),
  }
  const signOut = ctx.oidc?.route?.startsWith('end_session') === true
  const own = refused instanceof ProviderError
  if (own) ctx.status = refused.statusCode
  const out = own ? { error: refused.error, error_description: refused.appMessage } : refused
  const title = `This ${signOut ? 'sign-out' : 'sign-in'} request cannot be completed`
  ctx.type = 'html'
  ctx.body = messagePage({
    title,
    message: (own ? refused : explain(out, params, signOut, allowedApps)).message,
    details: {
      error: out.error,
      ...(out.error_description ? { description: out.error_description } : {}),
    },
  })
}

/** oidc-provider's error as a refusal of the catalogue, by its `error` and the request. */
function explain(
  out: ProtocolError,
  params: ErrorParams,
  signOut: boolean,
  allowedApps: readonly string[],
): ProviderError {
  const { error } = out
  // oidc-provider has one error class per OAuth code: where one code covers several problems, its
  // description tells which parameter it is about.
  const description = out.error_description ?? ''
  const { clientId, redirectUri, postLogoutRedirectUri } = params
  if (error === 'server_error') return new ProviderError('server_error')
  if (error === 'unsupported_response_type' && params.responseType === 'token')
    return new ProviderError('implicit_flow_refused')
  if (error === 'invalid_client' && clientId !== undefined && clientId !== '') {
    const canonical = canonicalAppOrigin(clientId)
    if (canonical === clientId && !isAllowedApp(clientId, allowedApps))
      return new ProviderError('app_not_permitted', { clientId })
    return canonical === undefined
      ? new ProviderError('client_id_not_app_origin', { clientId })
      : new ProviderError('client_id_not_canonical', { clientId, canonical })
  }
  if (
    !signOut &&
    params.noClientId &&
    (error === 'invalid_client' || description.includes('client_id'))
  )
    return new ProviderError('client_id_missing')
  if (error === 'invalid_redirect_uri' && clientId !== undefined)
    return new ProviderError('redirect_uri_off_origin', {
      clientId,
      redirectUri: redirectUri ?? '',
    })
  if (!signOut && params.noRedirectUri && description.includes('redirect_uri'))
    return new ProviderError('redirect_uri_missing', { clientId })
  if (
    signOut &&
    clientId !== undefined &&
    postLogoutRedirectUri !== undefined &&
    description.includes('post_logout_redirect_uri')
  )
    return new ProviderError('post_logout_redirect_uri_off_origin', {
      clientId,
      postLogoutRedirectUri,
    })
  if (signOut && description.includes('id_token_hint'))
    return new ProviderError('id_token_hint_refused')
  if (signOut && /xsrf|logout details/i.test(description))
    return new ProviderError('logout_form_stale')
  return new ProviderError('request_refused')
}
