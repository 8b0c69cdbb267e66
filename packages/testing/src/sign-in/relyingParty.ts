import type { SoftwareAuthenticator } from '@passkey-id/authenticator'
import * as oidc from 'openid-client'
import type { TestBrowser } from '../http/TestBrowser.ts'
import {
  type SignInOutcome,
  type SignInScript,
  signInThroughProvider,
} from './signInThroughProvider.ts'

/**
 * openid-client's view of a provider for the app `clientId`: a public client (no secret), allowed
 * to speak plain http because test providers listen on http://localhost.
 */
export function discoverAsApp(issuer: string, clientId: string): Promise<oidc.Configuration> {
  return oidc.discovery(new URL(issuer), clientId, undefined, oidc.None(), {
    execute: [oidc.allowInsecureRequests],
  })
}

/** An authorization request and the secrets the app keeps to check and redeem its answer. */
export interface AuthorizationRequest {
  url: URL
  /** The PKCE code verifier, or `undefined` when the request was built without PKCE. */
  verifier: string | undefined
  state: string
  nonce: string
}

/**
 * Builds an authorization request as an app would with openid-client: response type code, a state, a
 * nonce and (unless `pkce` is false) an S256 code challenge. `parameters` are added last, so a test
 * can override any of them (`code_challenge_method: 'plain'`, say).
 */
export async function buildAuthorizationRequest(
  config: oidc.Configuration,
  options: {
    redirectUri: string
    scope?: string
    pkce?: boolean
    parameters?: Record<string, string>
  },
): Promise<AuthorizationRequest> {
  const verifier = options.pkce === false ? undefined : oidc.randomPKCECodeVerifier()
  const state = oidc.randomState()
  const nonce = oidc.randomNonce()
  const url = oidc.buildAuthorizationUrl(config, {
    redirect_uri: options.redirectUri,
    scope: options.scope ?? 'openid',
    state,
    nonce,
    ...(verifier === undefined
      ? {}
      : {
          code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
          code_challenge_method: 'S256',
        }),
    ...options.parameters,
  })
  return { url, verifier, state, nonce }
}

/**
 * A whole sign-in as an app and a person do it: the app builds the request, the person goes through
 * the provider's pages (`script`), and the app redeems the code with openid-client, checking state,
 * nonce and the ID token. With `pkce: false` the request carries no code challenge.
 */
export async function signInWithCodeFlow(
  config: oidc.Configuration,
  browser: TestBrowser,
  authenticator: SoftwareAuthenticator,
  options: { redirectUri: string; scope?: string; pkce?: boolean; script?: SignInScript },
): Promise<{
  tokens: oidc.TokenEndpointResponse & oidc.TokenEndpointResponseHelpers
  outcome: SignInOutcome
  request: AuthorizationRequest
}> {
  const request = await buildAuthorizationRequest(config, options)
  const outcome = await signInThroughProvider(browser, authenticator, request.url, options.script)
  const tokens = await oidc.authorizationCodeGrant(config, outcome.callback, {
    pkceCodeVerifier: request.verifier,
    expectedState: request.state,
    expectedNonce: request.nonce,
  })
  return { tokens, outcome, request }
}
