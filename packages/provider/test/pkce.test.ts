import {
  buildAuthorizationRequest,
  createSoftwareAuthenticator,
  discoverAsApp,
  signInThroughProvider,
  signInWithCodeFlow,
  startTestProvider,
  TestBrowser,
  type TestProvider,
} from '@passkey-id/testing'
import * as oidc from 'openid-client'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

const LOOPBACK_APP = 'http://localhost:8000'
const WEB_APP = 'https://app.example.com'

/** Opens an authorization URL in a new browser and returns the provider's first answer. */
async function openAuthorization(url: URL): Promise<Response> {
  const response = await new TestBrowser().fetch(url)
  await response.body?.cancel()
  return response
}

/**
 * Expects the provider to send the browser back to the app's own redirect URI (a checked URL) with an
 * OAuth error, state and iss, as RFC 6749 4.1.2.1 and RFC 9207 say.
 */
function expectErrorRedirect(
  response: Response,
  redirectUri: string,
  issuer: string,
  error: string,
  state: string,
): URLSearchParams {
  expect(response.status).toBe(303)
  const location = new URL(String(response.headers.get('location')))
  expect(`${location.origin}${location.pathname}`).toBe(redirectUri)
  expect(location.searchParams.get('error')).toBe(error)
  expect(location.searchParams.get('error_description')).toEqual(expect.any(String))
  expect(location.searchParams.get('state')).toBe(state)
  expect(location.searchParams.get('iss')).toBe(issuer)
  expect(location.searchParams.has('code')).toBe(false)
  return location.searchParams
}

/** Posts a form to the token endpoint the way a public client does, and returns status and JSON. */
async function exchange(provider: TestProvider, params: Record<string, string>) {
  const response = await fetch(`${provider.url}/openid/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
    body: new URLSearchParams(params),
  })
  return { status: response.status, body: (await response.json()) as Record<string, unknown> }
}

describe('PKCE with the default policy (optional for loopback apps only)', () => {
  let provider: TestProvider
  let loopback: oidc.Configuration
  let web: oidc.Configuration
  const alice = createSoftwareAuthenticator()
  let aliceSub: unknown

  beforeAll(async () => {
    provider = await startTestProvider()
    loopback = await discoverAsApp(provider.url, LOOPBACK_APP)
    web = await discoverAsApp(provider.url, WEB_APP)
    const { tokens } = await signInWithCodeFlow(loopback, new TestBrowser(), alice, {
      redirectUri: `${LOOPBACK_APP}/cb`,
      script: { signUp: { username: 'alice' } },
    })
    aliceSub = tokens.claims()?.sub
  })
  afterAll(() => provider.close())

  it('sends a non-loopback app that omits PKCE back with invalid_request', async () => {
    const request = await buildAuthorizationRequest(web, {
      redirectUri: `${WEB_APP}/cb`,
      pkce: false,
    })
    const params = expectErrorRedirect(
      await openAuthorization(request.url),
      `${WEB_APP}/cb`,
      provider.url,
      'invalid_request',
      request.state,
    )
    expect(params.get('error_description')).toMatch(/PKCE/)
  })

  it.each([
    [WEB_APP, `${WEB_APP}/cb`],
    [LOOPBACK_APP, `${LOOPBACK_APP}/cb`],
  ])('refuses code_challenge_method=plain (%s)', async (clientId, redirectUri) => {
    const config = clientId === WEB_APP ? web : loopback
    const verifier = oidc.randomPKCECodeVerifier()
    const request = await buildAuthorizationRequest(config, {
      redirectUri,
      parameters: { code_challenge: verifier, code_challenge_method: 'plain' },
    })
    const params = expectErrorRedirect(
      await openAuthorization(request.url),
      redirectUri,
      provider.url,
      'invalid_request',
      request.state,
    )
    expect(params.get('error_description')).toMatch(/code_challenge_method/)
  })

  it.each([
    ['too short', 'abc'],
    ['not base64url', `${'+'.repeat(43)}`],
    ['too long', 'a'.repeat(129)],
  ])('refuses a malformed code_challenge (%s)', async (_case, challenge) => {
    const request = await buildAuthorizationRequest(web, {
      redirectUri: `${WEB_APP}/cb`,
      parameters: { code_challenge: challenge },
    })
    expectErrorRedirect(
      await openAuthorization(request.url),
      `${WEB_APP}/cb`,
      provider.url,
      'invalid_request',
      request.state,
    )
  })

  it('lets a loopback app sign in without PKCE', async () => {
    const browser = new TestBrowser()
    const { tokens, request } = await signInWithCodeFlow(loopback, browser, alice, {
      redirectUri: 'http://127.0.0.1:8000/cb',
      pkce: false,
    })
    expect(request.verifier).toBeUndefined()
    expect(tokens.claims()?.sub).toBe(aliceSub)
  })

  describe('at the token endpoint', () => {
    /** A fresh code for alice, issued for an S256 challenge, and its verifier. */
    async function codeWithChallenge() {
      const request = await buildAuthorizationRequest(loopback, {
        redirectUri: `${LOOPBACK_APP}/cb`,
      })
      const { callback } = await signInThroughProvider(new TestBrowser(), alice, request.url)
      return { code: String(callback.searchParams.get('code')), verifier: String(request.verifier) }
    }

    it('refuses a wrong code_verifier with invalid_grant', async () => {
      const { code } = await codeWithChallenge()
      const answer = await exchange(provider, {
        grant_type: 'authorization_code',
        client_id: LOOPBACK_APP,
        redirect_uri: `${LOOPBACK_APP}/cb`,
        code,
        code_verifier: oidc.randomPKCECodeVerifier(),
      })
      expect(answer).toEqual({
        status: 400,
        body: expect.objectContaining({ error: 'invalid_grant' }),
      })
    })

    it('refuses a missing code_verifier for a code issued with a challenge', async () => {
      const { code } = await codeWithChallenge()
      const answer = await exchange(provider, {
        grant_type: 'authorization_code',
        client_id: LOOPBACK_APP,
        redirect_uri: `${LOOPBACK_APP}/cb`,
        code,
      })
      expect(answer).toEqual({
        status: 400,
        body: expect.objectContaining({ error: 'invalid_grant' }),
      })
    })

    it('refuses a malformed code_verifier', async () => {
      const { code } = await codeWithChallenge()
      const answer = await exchange(provider, {
        grant_type: 'authorization_code',
        client_id: LOOPBACK_APP,
        redirect_uri: `${LOOPBACK_APP}/cb`,
        code,
        code_verifier: 'short',
      })
      expect(answer.status).toBe(400)
      expect(answer.body).toMatchObject({
        error: 'invalid_request',
        error_description: expect.stringContaining('code_verifier'),
      })
    })

    it('refuses a code_verifier for a code issued without a challenge', async () => {
      const request = await buildAuthorizationRequest(loopback, {
        redirectUri: `${LOOPBACK_APP}/cb`,
        pkce: false,
      })
      const { callback } = await signInThroughProvider(new TestBrowser(), alice, request.url)
      const answer = await exchange(provider, {
        grant_type: 'authorization_code',
        client_id: LOOPBACK_APP,
        redirect_uri: `${LOOPBACK_APP}/cb`,
        code: String(callback.searchParams.get('code')),
        code_verifier: oidc.randomPKCECodeVerifier(),
      })
      expect(answer).toEqual({
        status: 400,
        body: expect.objectContaining({ error: 'invalid_grant' }),
      })
    })

    it('refuses a verifier through openid-client too (the error an app sees)', async () => {
      const request = await buildAuthorizationRequest(loopback, {
        redirectUri: `${LOOPBACK_APP}/cb`,
      })
      const { callback } = await signInThroughProvider(new TestBrowser(), alice, request.url)
      await expect(
        oidc.authorizationCodeGrant(loopback, callback, {
          pkceCodeVerifier: oidc.randomPKCECodeVerifier(),
          expectedState: request.state,
        }),
      ).rejects.toMatchObject({ error: 'invalid_grant', status: 400 })
    })
  })

  it('still signs the existing account in afterwards, with the same subject', async () => {
    const { tokens, outcome } = await signInWithCodeFlow(loopback, new TestBrowser(), alice, {
      redirectUri: `${LOOPBACK_APP}/cb`,
    })
    expect(outcome.sawConsent).toBe(false)
    expect(tokens.claims()?.sub).toBe(aliceSub)
  })
})

describe('PKCE with PKCE_FOR_LOOPBACK=required', () => {
  let provider: TestProvider
  let loopback: oidc.Configuration

  beforeAll(async () => {
    provider = await startTestProvider({ PKCE_FOR_LOOPBACK: 'required' })
    loopback = await discoverAsApp(provider.url, LOOPBACK_APP)
  })
  afterAll(() => provider.close())

  it.each([`${LOOPBACK_APP}/cb`, 'http://127.0.0.1:8000/cb'])(
    'sends a loopback app that omits PKCE back to %s with invalid_request',
    async (redirectUri) => {
      const request = await buildAuthorizationRequest(loopback, { redirectUri, pkce: false })
      const params = expectErrorRedirect(
        await openAuthorization(request.url),
        redirectUri,
        provider.url,
        'invalid_request',
        request.state,
      )
      expect(params.get('error_description')).toMatch(/PKCE/)
    },
  )

  it('still lets a loopback app with PKCE sign in', async () => {
    const { tokens } = await signInWithCodeFlow(
      loopback,
      new TestBrowser(),
      createSoftwareAuthenticator(),
      { redirectUri: `${LOOPBACK_APP}/cb`, script: { signUp: { username: 'bob' } } },
    )
    expect(tokens.claims()?.aud).toBe(LOOPBACK_APP)
  })
})
