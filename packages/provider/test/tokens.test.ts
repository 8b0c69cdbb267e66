import {
  LOOPBACK_APP,
  type ProviderWithAccount,
  startProviderWithAccount,
} from '@passkey-id/testing/provider'
import { discoverAsApp } from '@passkey-id/testing/sign-in'
import * as oidc from 'openid-client'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'

const OTHER_APP = 'https://app.example.com'

describe('token, userinfo and introspection endpoints refuse what is not theirs', () => {
  let fixture: ProviderWithAccount
  let otherApp: oidc.Configuration

  beforeAll(async () => {
    fixture = await startProviderWithAccount({ email: 'alice@example.com' })
    otherApp = await discoverAsApp(fixture.provider.url, OTHER_APP)
  })
  afterAll(() => fixture.close())

  describe('authorization codes', () => {
    it('are single-use: a replay gets invalid_grant and revokes what the first exchange issued', async () => {
      const issued = await fixture.issueCode()
      const { request, callback, verifier } = issued
      const tokens = await oidc.authorizationCodeGrant(fixture.config, callback, {
        pkceCodeVerifier: verifier,
        expectedState: request.state,
        expectedNonce: request.nonce,
      })
      expect(await oidc.tokenIntrospection(fixture.config, tokens.access_token)).toMatchObject({
        active: true,
      })

      const replay = await fixture.redeemCode(issued)
      expect(replay.status).toBe(400)
      expect(replay.body).toMatchObject({ error: 'invalid_grant' })

      expect(await oidc.tokenIntrospection(fixture.config, tokens.access_token)).toEqual({
        active: false,
      })
      const userinfo = await fetch(`${fixture.provider.url}/openid/userinfo`, {
        headers: { authorization: `Bearer ${tokens.access_token}` },
      })
      expect(userinfo.status).toBe(401)
      expect(userinfo.headers.get('www-authenticate')).toMatch(/^Bearer .*error="invalid_token"/)
    })

    it('are refused through openid-client on replay (the error an app sees)', async () => {
      const { request, callback, verifier } = await fixture.issueCode()
      const checks = {
        pkceCodeVerifier: verifier,
        expectedState: request.state,
        expectedNonce: request.nonce,
      }
      await oidc.authorizationCodeGrant(fixture.config, callback, checks)
      await expect(
        oidc.authorizationCodeGrant(fixture.config, callback, checks),
      ).rejects.toMatchObject({
        error: 'invalid_grant',
        status: 400,
      })
    })

    // Each row: the test, what it changes in the app's token request, the status and error expected.
    it.each([
      [
        'must be exchanged with the same redirect_uri, not another path on the app',
        { redirect_uri: `${LOOPBACK_APP}/other` },
        400,
        { error: 'invalid_grant' },
      ],
      [
        'must be exchanged with the same redirect_uri, not the same path under another loopback name',
        { redirect_uri: 'http://127.0.0.1:8000/cb' },
        400,
        { error: 'invalid_grant' },
      ],
      [
        'must be exchanged with the same redirect_uri, not another origin',
        { redirect_uri: 'https://evil.example.com/cb' },
        400,
        { error: 'invalid_grant' },
      ],
      [
        'need a redirect_uri at the exchange',
        { redirect_uri: undefined },
        400,
        {
          error: 'invalid_request',
          error_description: expect.stringContaining('redirect_uri'),
        },
      ],
      [
        'belong to the client they were issued to, not another app',
        { client_id: OTHER_APP },
        400,
        { error: 'invalid_grant' },
      ],
      [
        'belong to the client they were issued to, not the same app under another loopback name (same pairwise sector)',
        { client_id: 'http://127.0.0.1:8000' },
        400,
        { error: 'invalid_grant' },
      ],
      [
        'are refused to a client_id that is not an origin (invalid_client)',
        { client_id: `${LOOPBACK_APP}/` },
        401,
        { error: 'invalid_client' },
      ],
      [
        'are refused without a client_id',
        { client_id: undefined },
        400,
        { error: 'invalid_request' },
      ],
    ])('%s', async (_name, changes, status, body) => {
      const answer = await fixture.redeemCode(await fixture.issueCode(), changes)
      expect(answer.status).toBe(status)
      expect(answer.body).toMatchObject(body)
    })

    it('expire after 60 seconds', async () => {
      const issued = await fixture.issueCode()
      // Only the clock moves (the provider runs in this process); timers and I/O stay real.
      vi.useFakeTimers({ toFake: ['Date'] })
      try {
        vi.setSystemTime(Date.now() + 61_000)
        const answer = await fixture.redeemCode(issued)
        expect(answer.status).toBe(400)
        expect(answer.body).toMatchObject({ error: 'invalid_grant' })
      } finally {
        vi.useRealTimers()
      }
    })

    it('that were never issued get invalid_grant', async () => {
      const answer = await fixture.redeemCode({
        code: 'not-a-code',
        verifier: oidc.randomPKCECodeVerifier(),
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
    const answer = await fixture.postToken({ grant_type: grantType, client_id: LOOPBACK_APP })
    expect(answer.status).toBe(400)
    expect(answer.body.error).toMatch(/^(unsupported_grant_type|unauthorized_client)$/)
  })

  it('refuses a token request in JSON', async () => {
    const response = await fetch(`${fixture.provider.url}/openid/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ grant_type: 'authorization_code', client_id: LOOPBACK_APP }),
    })
    expect(response.status).toBe(400)
    expect(await response.json()).toMatchObject({ error: 'invalid_request' })
  })

  describe('userinfo', () => {
    it('answers no token with 401 and a Bearer challenge', async () => {
      const response = await fetch(`${fixture.provider.url}/openid/userinfo`)
      expect(response.status).toBe(401)
      expect(response.headers.get('www-authenticate')).toBe(
        `Bearer realm="${fixture.provider.url}"`,
      )
      expect(await response.json()).toMatchObject({ error: 'invalid_token' })
    })

    it.each([
      ['a garbage token', 'garbage'],
      ['an empty-looking token', '.'],
      ['a JWT nobody issued', 'eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.'],
    ])('answers %s with 401 and invalid_token', async (_case, token) => {
      const response = await fetch(`${fixture.provider.url}/openid/userinfo`, {
        headers: { authorization: `Bearer ${token}` },
      })
      expect(response.status).toBe(401)
      expect(response.headers.get('www-authenticate')).toMatch(
        /^Bearer realm="[^"]+", error="invalid_token"/,
      )
      expect(await response.json()).toMatchObject({ error: 'invalid_token' })
    })

    it('refuses an ID token used as an access token', async () => {
      const { tokens } = await fixture.signIn()
      const response = await fetch(`${fixture.provider.url}/openid/userinfo`, {
        headers: { authorization: `Bearer ${tokens.id_token}` },
      })
      expect(response.status).toBe(401)
      expect(response.headers.get('www-authenticate')).toMatch(/error="invalid_token"/)
    })

    it('refuses a token in the query string', async () => {
      const { tokens } = await fixture.signIn()
      const response = await fetch(
        `${fixture.provider.url}/openid/userinfo?access_token=${tokens.access_token}`,
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
      const { tokens } = await fixture.signIn()
      expect(await oidc.tokenIntrospection(otherApp, tokens.access_token)).toEqual({
        active: false,
      })
      expect(await oidc.tokenIntrospection(fixture.config, tokens.access_token)).toMatchObject({
        active: true,
        client_id: LOOPBACK_APP,
      })
    })

    it('says active: false for a garbage token', async () => {
      expect(await oidc.tokenIntrospection(fixture.config, 'garbage')).toEqual({ active: false })
    })

    it('refuses a client_id that is not an origin', async () => {
      const response = await fetch(`${fixture.provider.url}/openid/introspect`, {
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
      return fetch(`${fixture.provider.url}${path}`, {
        method: 'OPTIONS',
        headers: {
          origin,
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'content-type',
        },
      })
    }

    it.each([LOOPBACK_APP, 'http://127.0.0.1:8000'])(
      'answers a token endpoint preflight from %s',
      async (origin) => {
        const response = await preflight(origin)
        expect(response.status).toBe(204)
        expect(response.headers.get('access-control-allow-origin')).toBe(origin)
        expect(response.headers.get('access-control-allow-methods')).toContain('POST')
      },
    )

    it.each([LOOPBACK_APP, 'http://127.0.0.1:8000'])(
      'lets the app at %s read the token response',
      async (origin) => {
        const answer = await fixture.redeemCode(await fixture.issueCode(), {}, { origin })
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
      const issued = await fixture.issueCode()
      const refused = await fixture.redeemCode(issued, {}, { origin })
      expect(refused.status).toBe(400)
      expect(refused.headers.get('access-control-allow-origin')).toBeNull()
      expect(refused.body).toMatchObject({
        error: 'invalid_request',
        error_description: expect.stringContaining('not allowed'),
      })
      const fromApp = await fixture.redeemCode(issued, {}, { origin: LOOPBACK_APP })
      expect(fromApp.status).toBe(200)
    })

    it('refuses a userinfo request with the app token from another origin', async () => {
      const { tokens } = await fixture.signIn()
      const response = await fetch(`${fixture.provider.url}/openid/userinfo`, {
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
    await fixture.expectAccountStillSignsIn()
  })
})
