import { createSoftwareAuthenticator } from '@passkey-id/authenticator'
import { TestBrowser } from '@passkey-id/testing/http'
import {
  LOOPBACK_APP,
  LOOPBACK_REDIRECT_URI,
  type ProviderWithAccount,
  startProviderWithAccount,
  startTestProvider,
  type TestProvider,
} from '@passkey-id/testing/provider'
import {
  buildAuthorizationRequest,
  discoverAsApp,
  signInWithCodeFlow,
} from '@passkey-id/testing/sign-in'
import * as oidc from 'openid-client'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

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

describe('PKCE with the default policy (optional for loopback apps only)', () => {
  let fixture: ProviderWithAccount
  let web: oidc.Configuration

  beforeAll(async () => {
    fixture = await startProviderWithAccount()
    web = await discoverAsApp(fixture.provider.url, WEB_APP)
  })
  afterAll(() => fixture.close())

  it('sends a non-loopback app that omits PKCE back with invalid_request', async () => {
    const request = await buildAuthorizationRequest(web, {
      redirectUri: `${WEB_APP}/cb`,
      pkce: false,
    })
    const params = expectErrorRedirect(
      await openAuthorization(request.url),
      `${WEB_APP}/cb`,
      fixture.provider.url,
      'invalid_request',
      request.state,
    )
    expect(params.get('error_description')).toMatch(/PKCE/)
  })

  it.each([
    [WEB_APP, `${WEB_APP}/cb`],
    [LOOPBACK_APP, LOOPBACK_REDIRECT_URI],
  ])('refuses code_challenge_method=plain (%s)', async (clientId, redirectUri) => {
    const config = clientId === WEB_APP ? web : fixture.config
    const verifier = oidc.randomPKCECodeVerifier()
    const request = await buildAuthorizationRequest(config, {
      redirectUri,
      parameters: { code_challenge: verifier, code_challenge_method: 'plain' },
    })
    const params = expectErrorRedirect(
      await openAuthorization(request.url),
      redirectUri,
      fixture.provider.url,
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
      fixture.provider.url,
      'invalid_request',
      request.state,
    )
  })

  it('lets a loopback app sign in without PKCE', async () => {
    const { tokens, request } = await fixture.signIn({
      redirectUri: 'http://127.0.0.1:8000/cb',
      pkce: false,
    })
    expect(request.verifier).toBeUndefined()
    expect(tokens.claims()?.sub).toBe(fixture.sub)
  })

  describe('at the token endpoint', () => {
    it.each([
      [
        'refuses a wrong code_verifier with invalid_grant',
        { pkce: true },
        { code_verifier: oidc.randomPKCECodeVerifier() },
      ],
      [
        'refuses a missing code_verifier for a code issued with a challenge',
        { pkce: true },
        { code_verifier: undefined },
      ],
      [
        'refuses a code_verifier for a code issued without a challenge',
        { pkce: false },
        { code_verifier: oidc.randomPKCECodeVerifier() },
      ],
    ])('%s', async (_name, issue, changes) => {
      const answer = await fixture.redeemCode(await fixture.issueCode(issue), changes)
      expect(answer.status).toBe(400)
      expect(answer.body).toMatchObject({ error: 'invalid_grant' })
    })

    it('refuses a malformed code_verifier', async () => {
      const answer = await fixture.redeemCode(await fixture.issueCode(), { code_verifier: 'short' })
      expect(answer.status).toBe(400)
      expect(answer.body).toMatchObject({
        error: 'invalid_request',
        error_description: expect.stringContaining('code_verifier'),
      })
    })

    it('refuses a verifier through openid-client too (the error an app sees)', async () => {
      const { request, callback } = await fixture.issueCode()
      await expect(
        oidc.authorizationCodeGrant(fixture.config, callback, {
          pkceCodeVerifier: oidc.randomPKCECodeVerifier(),
          expectedState: request.state,
        }),
      ).rejects.toMatchObject({ error: 'invalid_grant', status: 400 })
    })
  })

  it('still signs the existing account in afterwards, with the same subject', async () => {
    await fixture.expectAccountStillSignsIn()
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

  it.each([LOOPBACK_REDIRECT_URI, 'http://127.0.0.1:8000/cb'])(
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
      { redirectUri: LOOPBACK_REDIRECT_URI, script: { signUp: { username: 'bob' } } },
    )
    expect(tokens.claims()?.aud).toBe(LOOPBACK_APP)
  })
})
