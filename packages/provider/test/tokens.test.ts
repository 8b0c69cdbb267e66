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
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'

const APP = 'http://localhost:8000'
const REDIRECT_URI = `${APP}/cb`
const OTHER_APP = 'https://app.example.com'

describe('token, userinfo and introspection endpoints refuse what is not theirs', () => {
  let provider: TestProvider
  let config: oidc.Configuration
  let otherApp: oidc.Configuration
  const alice = createSoftwareAuthenticator()
  let aliceSub: unknown

  beforeAll(async () => {
    provider = await startTestProvider()
    config = await discoverAsApp(provider.url, APP)
    otherApp = await discoverAsApp(provider.url, OTHER_APP)
    const { tokens } = await signInWithCodeFlow(config, new TestBrowser(), alice, {
      redirectUri: REDIRECT_URI,
      script: { signUp: { username: 'alice', email: 'alice@example.com' } },
    })
    aliceSub = tokens.claims()?.sub
  })
  afterAll(() => provider.close())

  /** A fresh authorization code for alice and APP, with the request that asked for it. */
  async function freshCode() {
    const request = await buildAuthorizationRequest(config, { redirectUri: REDIRECT_URI })
    const { callback } = await signInThroughProvider(new TestBrowser(), alice, request.url)
    const code = callback.searchParams.get('code')
    expect(code).toEqual(expect.any(String))
    return { request, callback, code: String(code), verifier: String(request.verifier) }
  }

  /** Posts a form to the token endpoint as a public client does; returns status, headers and JSON. */
  async function postToken(params: Record<string, string>, headers: Record<string, string> = {}) {
    const response = await fetch(`${provider.url}/openid/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
      body: new URLSearchParams(params),
    })
    const body = (await response.json()) as Record<string, unknown>
    return { status: response.status, headers: response.headers, body }
  }

  describe('authorization codes', () => {
    it('are single-use: a replay gets invalid_grant and revokes what the first exchange issued', async () => {
      const { request, callback, code, verifier } = await freshCode()
      const tokens = await oidc.authorizationCodeGrant(config, callback, {
        pkceCodeVerifier: verifier,
        expectedState: request.state,
        expectedNonce: request.nonce,
      })
      expect(await oidc.tokenIntrospection(config, tokens.access_token)).toMatchObject({
        active: true,
      })

      const replay = await postToken({
        grant_type: 'authorization_code',
        client_id: APP,
        redirect_uri: REDIRECT_URI,
        code,
        code_verifier: verifier,
      })
      expect(replay.status).toBe(400)
      expect(replay.body).toMatchObject({ error: 'invalid_grant' })

      expect(await oidc.tokenIntrospection(config, tokens.access_token)).toEqual({ active: false })
      const userinfo = await fetch(`${provider.url}/openid/userinfo`, {
        headers: { authorization: `Bearer ${tokens.access_token}` },
      })
      expect(userinfo.status).toBe(401)
      expect(userinfo.headers.get('www-authenticate')).toMatch(/^Bearer .*error="invalid_token"/)
    })

    it('are refused through openid-client on replay (the error an app sees)', async () => {
      const { request, callback, verifier } = await freshCode()
      const checks = {
        pkceCodeVerifier: verifier,
        expectedState: request.state,
        expectedNonce: request.nonce,
      }
      await oidc.authorizationCodeGrant(config, callback, checks)
      await expect(oidc.authorizationCodeGrant(config, callback, checks)).rejects.toMatchObject({
        error: 'invalid_grant',
        status: 400,
      })
    })

    it.each([
      ['another path on the app', `${APP}/other`],
      ['the same path under another loopback name', 'http://127.0.0.1:8000/cb'],
      ['another origin', 'https://evil.example.com/cb'],
    ])('must be exchanged with the same redirect_uri, not %s', async (_case, redirectUri) => {
      const { code, verifier } = await freshCode()
      const answer = await postToken({
        grant_type: 'authorization_code',
        client_id: APP,
        redirect_uri: redirectUri,
        code,
        code_verifier: verifier,
      })
      expect(answer.status).toBe(400)
      expect(answer.body).toMatchObject({ error: 'invalid_grant' })
    })

    it('need a redirect_uri at the exchange', async () => {
      const { code, verifier } = await freshCode()
      const answer = await postToken({
        grant_type: 'authorization_code',
        client_id: APP,
        code,
        code_verifier: verifier,
      })
      expect(answer.status).toBe(400)
      expect(answer.body).toMatchObject({
        error: 'invalid_request',
        error_description: expect.stringContaining('redirect_uri'),
      })
    })

    it.each([
      ['another app', OTHER_APP],
      ['the same app under another loopback name (same pairwise sector)', 'http://127.0.0.1:8000'],
    ])('belong to the client they were issued to, not %s', async (_case, clientId) => {
      const { code, verifier } = await freshCode()
      const answer = await postToken({
        grant_type: 'authorization_code',
        client_id: clientId,
        redirect_uri: REDIRECT_URI,
        code,
        code_verifier: verifier,
      })
      expect(answer.status).toBe(400)
      expect(answer.body).toMatchObject({ error: 'invalid_grant' })
    })

    it('are refused to a client_id that is not an origin (invalid_client)', async () => {
      const { code, verifier } = await freshCode()
      const answer = await postToken({
        grant_type: 'authorization_code',
        client_id: `${APP}/`,
        redirect_uri: REDIRECT_URI,
        code,
        code_verifier: verifier,
      })
      expect(answer.status).toBe(401)
      expect(answer.body).toMatchObject({ error: 'invalid_client' })
    })

    it('are refused without a client_id', async () => {
      const { code, verifier } = await freshCode()
      const answer = await postToken({
        grant_type: 'authorization_code',
        redirect_uri: REDIRECT_URI,
        code,
        code_verifier: verifier,
      })
      expect(answer.status).toBe(400)
      expect(answer.body).toMatchObject({ error: 'invalid_request' })
    })

    it('expire after 60 seconds', async () => {
      const { code, verifier } = await freshCode()
      // Only the clock moves (the provider runs in this process); timers and I/O stay real.
      vi.useFakeTimers({ toFake: ['Date'] })
      try {
        vi.setSystemTime(Date.now() + 61_000)
        const answer = await postToken({
          grant_type: 'authorization_code',
          client_id: APP,
          redirect_uri: REDIRECT_URI,
          code,
          code_verifier: verifier,
        })
        expect(answer.status).toBe(400)
        expect(answer.body).toMatchObject({ error: 'invalid_grant' })
      } finally {
        vi.useRealTimers()
      }
    })

    it('that were never issued get invalid_grant', async () => {
      const answer = await postToken({
        grant_type: 'authorization_code',
        client_id: APP,
        redirect_uri: REDIRECT_URI,
        code: 'not-a-code',
        code_verifier: oidc.randomPKCECodeVerifier(),
      })
      expect(answer.status).toBe(400)
      expect(answer.body).toMatchObject({ error: 'invalid_grant' })
    })
  })

  it.each([
    'password',
    'client_credentials',
    'implicit',
    'urn:ietf:params:oauth:grant-type:device_code',
  ])('refuses grant_type=%s', async (grantType) => {
    const answer = await postToken({ grant_type: grantType, client_id: APP })
    expect(answer.status).toBe(400)
    expect(answer.body.error).toMatch(/^(unsupported_grant_type|unauthorized_client)$/)
  })

  it('refuses a token request in JSON', async () => {
    const response = await fetch(`${provider.url}/openid/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ grant_type: 'authorization_code', client_id: APP }),
    })
    expect(response.status).toBe(400)
    expect(await response.json()).toMatchObject({ error: 'invalid_request' })
  })

  describe('userinfo', () => {
    it('answers no token with 401 and a Bearer challenge', async () => {
      const response = await fetch(`${provider.url}/openid/userinfo`)
      expect(response.status).toBe(401)
      expect(response.headers.get('www-authenticate')).toBe(`Bearer realm="${provider.url}"`)
      expect(await response.json()).toMatchObject({ error: 'invalid_token' })
    })

    it.each([
      ['a garbage token', 'garbage'],
      ['an empty-looking token', '.'],
      ['a JWT nobody issued', 'eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.'],
    ])('answers %s with 401 and invalid_token', async (_case, token) => {
      const response = await fetch(`${provider.url}/openid/userinfo`, {
        headers: { authorization: `Bearer ${token}` },
      })
      expect(response.status).toBe(401)
      expect(response.headers.get('www-authenticate')).toMatch(
        /^Bearer realm="[^"]+", error="invalid_token"/,
      )
      expect(await response.json()).toMatchObject({ error: 'invalid_token' })
    })

    it('refuses an ID token used as an access token', async () => {
      const { tokens } = await signInWithCodeFlow(config, new TestBrowser(), alice, {
        redirectUri: REDIRECT_URI,
      })
      const response = await fetch(`${provider.url}/openid/userinfo`, {
        headers: { authorization: `Bearer ${tokens.id_token}` },
      })
      expect(response.status).toBe(401)
      expect(response.headers.get('www-authenticate')).toMatch(/error="invalid_token"/)
    })

    it('refuses a token in the query string', async () => {
      const { tokens } = await signInWithCodeFlow(config, new TestBrowser(), alice, {
        redirectUri: REDIRECT_URI,
      })
      const response = await fetch(
        `${provider.url}/openid/userinfo?access_token=${tokens.access_token}`,
      )
      expect(response.status).toBe(400)
      expect(await response.json()).toEqual({
        error: 'invalid_request',
        error_description: 'access tokens must not be provided via query parameter',
      })
    })
  })

  describe('introspection by a public client', () => {
    it('says active: false for a token issued to another app', async () => {
      const { tokens } = await signInWithCodeFlow(config, new TestBrowser(), alice, {
        redirectUri: REDIRECT_URI,
      })
      expect(await oidc.tokenIntrospection(otherApp, tokens.access_token)).toEqual({
        active: false,
      })
      expect(await oidc.tokenIntrospection(config, tokens.access_token)).toMatchObject({
        active: true,
        client_id: APP,
      })
    })

    it('says active: false for a garbage token', async () => {
      expect(await oidc.tokenIntrospection(config, 'garbage')).toEqual({ active: false })
    })

    it('refuses a client_id that is not an origin', async () => {
      const response = await fetch(`${provider.url}/openid/introspect`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ token: 'garbage', client_id: 'localhost:8000' }),
      })
      expect(response.status).toBe(401)
      expect(await response.json()).toMatchObject({ error: 'invalid_client' })
    })
  })

  describe('CORS', () => {
    async function preflight(origin: string, path = '/openid/token') {
      return fetch(`${provider.url}${path}`, {
        method: 'OPTIONS',
        headers: {
          origin,
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'content-type',
        },
      })
    }

    it.each([APP, 'http://127.0.0.1:8000'])(
      'answers a token endpoint preflight from %s',
      async (origin) => {
        const response = await preflight(origin)
        expect(response.status).toBe(204)
        expect(response.headers.get('access-control-allow-origin')).toBe(origin)
        expect(response.headers.get('access-control-allow-methods')).toContain('POST')
      },
    )

    it.each([APP, 'http://127.0.0.1:8000'])(
      'lets the app at %s read the token response',
      async (origin) => {
        const { code, verifier } = await freshCode()
        const answer = await postToken(
          {
            grant_type: 'authorization_code',
            client_id: APP,
            redirect_uri: REDIRECT_URI,
            code,
            code_verifier: verifier,
          },
          { origin },
        )
        expect(answer.status).toBe(200)
        expect(answer.headers.get('access-control-allow-origin')).toBe(origin)
      },
    )

    // A preflight carries no client_id, so it cannot tell which app is asking; the app is known on
    // the request itself, which is refused with no Access-Control-Allow-Origin for a browser to honour.
    it.each([
      'https://evil.example.com',
      'http://localhost:9000',
      'https://localhost:8000',
      'null',
    ])('refuses a token request for the app from %s, and redeems nothing', async (origin) => {
      const { code, verifier } = await freshCode()
      const params = {
        grant_type: 'authorization_code',
        client_id: APP,
        redirect_uri: REDIRECT_URI,
        code,
        code_verifier: verifier,
      }
      const refused = await postToken(params, { origin })
      expect(refused.status).toBe(400)
      expect(refused.headers.get('access-control-allow-origin')).toBeNull()
      expect(refused.body).toMatchObject({
        error: 'invalid_request',
        error_description: expect.stringContaining('not allowed'),
      })
      const fromApp = await postToken(params, { origin: APP })
      expect(fromApp.status).toBe(200)
    })

    it('refuses a userinfo request with the app token from another origin', async () => {
      const { tokens } = await signInWithCodeFlow(config, new TestBrowser(), alice, {
        redirectUri: REDIRECT_URI,
      })
      const response = await fetch(`${provider.url}/openid/userinfo`, {
        headers: {
          origin: 'https://evil.example.com',
          authorization: `Bearer ${tokens.access_token}`,
        },
      })
      expect(response.status).toBe(400)
      expect(response.headers.get('access-control-allow-origin')).toBeNull()
      expect(await response.json()).toMatchObject({ error: 'invalid_request' })
    })
  })

  it('still signs the existing account in afterwards, with the same subject', async () => {
    const { tokens, outcome } = await signInWithCodeFlow(config, new TestBrowser(), alice, {
      redirectUri: REDIRECT_URI,
    })
    expect(outcome.sawConsent).toBe(false)
    expect(tokens.claims()?.sub).toBe(aliceSub)
  })
})
