import type { KoaContextWithOIDC } from 'oidc-provider'
import { messagePage } from '../pages/messagePage.ts'
import { canonicalAppOrigin } from './clients/appOrigin.ts'

/**
 * The page shown when a sign-in request cannot be sent back to the app (a bad client_id or
 * redirect_uri, say): it names the problem and, for the app's developer, the fix.
 */
export function renderProtocolError(
  ctx: KoaContextWithOIDC,
  out: { error: string; error_description?: string },
): void {
  const params = (ctx.oidc?.params ?? ctx.query) as Record<string, unknown>
  const clientId = typeof params.client_id === 'string' ? params.client_id : undefined
  const redirectUri = typeof params.redirect_uri === 'string' ? params.redirect_uri : undefined
  ctx.type = 'html'
  ctx.body = messagePage({
    title: 'This sign-in request cannot be completed',
    message:
      advice(out.error, clientId, redirectUri) ??
      `${sentence(out.error_description ?? out.error)} Go back to the app and try again; if it keeps happening, tell the app's developer.`,
    details: {
      error: out.error,
      ...(out.error_description ? { description: out.error_description } : {}),
    },
  })
}

function advice(
  error: string,
  clientId: string | undefined,
  redirectUri: string | undefined,
): string | undefined {
  if (error === 'invalid_client' && clientId !== undefined) {
    const canonical = canonicalAppOrigin(clientId)
    if (canonical !== undefined) {
      return `The client_id "${clientId}" is not written as an origin. Apps are not registered here: the client_id is the app's origin, exactly as browsers write it. Use "${canonical}".`
    }
    return `The client_id "${clientId}" is not an app origin. Apps are not registered here: the client_id is the app's origin (scheme, host and port, such as https://app.example.com or http://localhost:8000; plain http only on localhost).`
  }
  if (error === 'invalid_client') {
    return "The request has no client_id. Apps are not registered here: the client_id is the app's origin, such as https://app.example.com."
  }
  if (error === 'invalid_redirect_uri' && clientId !== undefined) {
    return `The redirect_uri "${redirectUri ?? ''}" is not on the app's origin (${clientId}), so the sign-in result is not sent there. Use a redirect_uri on ${clientId}.`
  }
  return undefined
}

function sentence(text: string): string {
  const capitalised = text.charAt(0).toUpperCase() + text.slice(1)
  return capitalised.endsWith('.') ? capitalised : `${capitalised}.`
}
