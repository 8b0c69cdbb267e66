import type { ParameterizedContext } from 'koa'
import type { KoaContextWithOIDC } from 'oidc-provider'
import { messagePage } from '../pages/messagePage.ts'
import { canonicalAppOrigin } from './clients/appOrigin.ts'

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

/**
 * The page shown when a sign-in or sign-out request cannot be sent back to the app (a bad client_id
 * or redirect_uri, say): it names the problem and, for the app's developer, the fix. `ctx` is
 * oidc-provider's, or a plain Koa context in front of it (no `oidc` yet: the query is read instead).
 */
export function renderProtocolError(
  ctx: ParameterizedContext & { oidc?: KoaContextWithOIDC['oidc'] },
  out: { error: string; error_description?: string },
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
  const title = `This ${signOut ? 'sign-out' : 'sign-in'} request cannot be completed`
  ctx.type = 'html'
  ctx.body = messagePage({
    title,
    message:
      advice(out, params, signOut) ??
      `${sentence(out.error_description ?? out.error)} Go back to the app and try again; if it keeps happening, tell the app's developer.`,
    details: {
      error: out.error,
      ...(out.error_description ? { description: out.error_description } : {}),
    },
  })
}

function advice(
  out: { error: string; error_description?: string },
  params: ErrorParams,
  signOut: boolean,
): string | undefined {
  const { error } = out
  const description = out.error_description ?? ''
  const { clientId, redirectUri, postLogoutRedirectUri } = params
  if (error === 'unsupported_response_type' && params.responseType === 'token') {
    return `${sentence(description || 'response_type=token is not allowed')} Switch the app to the authorization-code flow with PKCE. For FastAPI's docs page, create the app with FastAPI(swagger_ui_init_oauth={"usePkceWithAuthorizationCodeGrant": True}) and choose the authorization_code flow in the Authorize dialog. Other apps send response_type=code with a code_challenge (S256) and redeem the code at the token endpoint.`
  }
  if (error === 'invalid_client' && clientId !== undefined && clientId !== '') {
    const canonical = canonicalAppOrigin(clientId)
    if (canonical !== undefined) {
      return `The client_id "${clientId}" is not written as an origin. Apps are not registered here: the client_id is the app's origin, exactly as browsers write it. Use "${canonical}".`
    }
    return `The client_id "${clientId}" is not an app origin. Apps are not registered here: the client_id is the app's origin (scheme, host and port, such as https://app.example.com or http://localhost:8000; plain http only on localhost).`
  }
  if (
    !signOut &&
    params.noClientId &&
    (error === 'invalid_client' || description.includes('client_id'))
  ) {
    return "The request has no client_id. Apps are not registered here: the client_id is the app's origin, such as https://app.example.com."
  }
  if (error === 'invalid_redirect_uri' && clientId !== undefined) {
    return `The redirect_uri "${redirectUri ?? ''}" is not on the app's origin (${clientId}), so the sign-in result is not sent there. Use a redirect_uri on ${clientId}.`
  }
  if (!signOut && params.noRedirectUri && description.includes('redirect_uri')) {
    return `The request has no redirect_uri, so there is nowhere to send the sign-in result. Send the address that takes it, on the app's origin${clientId === undefined ? '' : ` (${clientId})`}.`
  }
  if (
    signOut &&
    clientId !== undefined &&
    postLogoutRedirectUri !== undefined &&
    description.includes('post_logout_redirect_uri')
  ) {
    return `The post_logout_redirect_uri "${postLogoutRedirectUri}" is not on the app's origin (${clientId}), so the browser is not sent there after signing out. Use a post_logout_redirect_uri on ${clientId}.`
  }
  if (signOut && /xsrf|logout details/i.test(description)) {
    return 'This sign-out form is out of date (it was opened again in another tab, or it expired). Open the sign-out page again from the app, or from your account page.'
  }
  return undefined
}

function sentence(text: string): string {
  const capitalised = text.charAt(0).toUpperCase() + text.slice(1)
  return capitalised.endsWith('.') ? capitalised : `${capitalised}.`
}
