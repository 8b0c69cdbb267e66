import { createHash } from 'node:crypto'
import { TestBrowser } from '@passkey-id/testing/http'
import {
  LOOPBACK_APP,
  LOOPBACK_REDIRECT_URI,
  type ProviderWithAccount,
  startProviderWithAccount,
} from '@passkey-id/testing/provider'
import { signInThroughProvider } from '@passkey-id/testing/sign-in'
import * as oidc from 'openid-client'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { authorizationUrl } from './support/authorizationUrl.ts'
import {
  type AuthorizationResponse,
  readAuthorizationResponse,
} from './support/readAuthorizationResponse.ts'
import { verifyIdToken } from './support/verifyIdToken.ts'

const STATE = 'state-1'
const IMPLICIT_TYPES = ['token', 'id_token', 'id_token token']

describe('implicit flows for a loopback app under the default policy', () => {
  let fixture: ProviderWithAccount
  let issuer: string
  /** A browser signed in to the provider that has consented to openid and avatar for the app. */
  let signedIn: TestBrowser

  beforeAll(async () => {
    fixture = await startProviderWithAccount()
    issuer = fixture.provider.url
    signedIn = new TestBrowser()
    await signInThroughProvider(
      signedIn,
      fixture.authenticator,
      request({ response_type: 'id_token token', nonce: 'n-0', scope: 'openid avatar' }),
    )
  })
  afterAll(() => fixture.close())

  /** An authorization URL from the loopback app; `undefined` leaves a parameter out. */
  function request(params: Record<string, string | undefined>): URL {
    return authorizationUrl(issuer, {
      client_id: LOOPBACK_APP,
      redirect_uri: LOOPBACK_REDIRECT_URI,
      scope: 'openid',
      state: STATE,
      ...params,
    })
  }

  /** Signs the account in through the provider's pages in a new browser; reads what the app got. */
  async function signIn(url: URL): Promise<AuthorizationResponse> {
    const { callback } = await signInThroughProvider(new TestBrowser(), fixture.authenticator, url)
    return readAuthorizationResponse(callback)
  }

  /** The provider's immediate answer to `url` in `browser`: a redirect (read) or a page. */
  async function answer(url: URL, browser = new TestBrowser()) {
    const response = await browser.fetch(url)
    const location = response.headers.get('location')
    await response.body?.cancel()
    expect(response.status).toBe(303)
    return {
      location: String(location),
      ...(await readAuthorizationResponse(new URL(location ?? ''))),
    }
  }

  async function userinfo(accessToken: string | null) {
    const response = await fetch(`${issuer}/openid/userinfo`, {
      headers: { authorization: `Bearer ${accessToken}` },
    })
    return { status: response.status, body: (await response.json()) as Record<string, unknown> }
  }

  /** Expects an error sent back to the app's redirect URI, with the state and nothing else. */
  function expectErrorOnly(response: AuthorizationResponse, error: string) {
    expect(response.target).toBe(LOOPBACK_REDIRECT_URI)
    expect(Object.fromEntries(response.params)).toEqual({
      error,
      error_description: expect.any(String),
      state: STATE,
      iss: issuer,
    })
  }

  it("serves Swagger UI's bare response_type=token: an access token in the fragment that works at userinfo", async () => {
    const response = await signIn(request({ response_type: 'token', scope: 'avatar' }))
    expect(response.mode).toBe('fragment')
    expect(response.target).toBe(LOOPBACK_REDIRECT_URI)
    const params = Object.fromEntries(response.params)
    expect(params).toMatchObject({
      access_token: expect.any(String),
      token_type: 'Bearer',
      expires_in: '600',
      state: STATE,
    })
    expect(params).not.toHaveProperty('code')
    // openid is added, so that userinfo answers the token.
    expect(String(params.scope).split(' ').sort()).toEqual(['avatar', 'openid'])
    expect(await userinfo(response.params.get('access_token'))).toEqual({
      status: 200,
      body: expect.objectContaining({ sub: fixture.sub, preferred_username: 'alice' }),
    })
    // The ID token beside it (with a nonce the provider made) is sound; Swagger UI ignores it.
    const claims = await verifyIdToken(issuer, String(params.id_token), {
      audience: LOOPBACK_APP,
      accessToken: String(params.access_token),
    })
    expect(claims).toMatchObject({ sub: fixture.sub, nonce: expect.any(String) })
  })

  it('serves a bare token request with no scope at all, as openid', async () => {
    const response = await answer(request({ response_type: 'token', scope: undefined }), signedIn)
    expect(response.params.get('scope')).toBe('openid')
    expect((await userinfo(response.params.get('access_token'))).status).toBe(200)
  })

  it('serves the bare token to docs opened at 127.0.0.1 (client_id localhost)', async () => {
    const redirectUri = 'http://127.0.0.1:8000/docs/static/oauth2-redirect.html'
    const response = await signIn(request({ response_type: 'token', redirect_uri: redirectUri }))
    expect(response.target).toBe(redirectUri)
    expect((await userinfo(response.params.get('access_token'))).status).toBe(200)
  })

  it('keeps a nonce the app sent with a bare token request', async () => {
    const response = await answer(request({ response_type: 'token', nonce: 'app-nonce' }), signedIn)
    await verifyIdToken(issuer, String(response.params.get('id_token')), {
      audience: LOOPBACK_APP,
      nonce: 'app-nonce',
    })
  })

  it('serves id_token with a nonce: a verified ID token and no access token', async () => {
    const nonce = oidc.randomNonce()
    const response = await signIn(
      request({ response_type: 'id_token', nonce, scope: 'openid avatar' }),
    )
    expect(response.mode).toBe('fragment')
    expect([...response.params.keys()].sort()).toEqual(['id_token', 'state'])
    const claims = await verifyIdToken(issuer, String(response.params.get('id_token')), {
      audience: LOOPBACK_APP,
      nonce,
    })
    expect(claims.sub).toBe(fixture.sub)
    // With no access token to fetch userinfo with, the granted scopes' claims are in the ID token.
    expect(claims.preferred_username).toBe('alice')
  })

  it('serves id_token token with a nonce: at_hash binds the access token, which works at userinfo', async () => {
    const nonce = oidc.randomNonce()
    const response = await signIn(
      request({ response_type: 'id_token token', nonce, scope: 'openid avatar' }),
    )
    const accessToken = String(response.params.get('access_token'))
    const claims = await verifyIdToken(issuer, String(response.params.get('id_token')), {
      audience: LOOPBACK_APP,
      nonce,
      accessToken,
    })
    expect(claims.sub).toBe(fixture.sub)
    expect((await userinfo(accessToken)).body).toMatchObject({
      sub: fixture.sub,
      nickname: 'alice',
    })
  })

  it.each(['id_token', 'id_token token'])(
    'refuses %s without a nonce: invalid_request back to the app, no token',
    async (responseType) => {
      const response = await answer(request({ response_type: responseType }), signedIn)
      expect(response.mode).toBe('fragment')
      expectErrorOnly(response, 'invalid_request')
      expect(response.params.get('error_description')).toMatch(/nonce/)
    },
  )

  it.each(IMPLICIT_TYPES)(
    'never puts tokens in a query: response_mode=query with %s is refused',
    async (responseType) => {
      const response = await answer(
        request({ response_type: responseType, response_mode: 'query', nonce: 'n-1' }),
        signedIn,
      )
      expect(response.mode).toBe('query')
      expectErrorOnly(response, 'invalid_request')
      expect(response.params.get('error_description')).toMatch(/response_mode/)
      expect(response.location).not.toMatch(/token=/)
    },
  )

  it.each(['web_message', 'jwt', 'fragment.jwt', 'form_post.jwt', 'nonsense'])(
    'refuses response_mode=%s, which discovery does not list, and sends no token',
    async (mode) => {
      const response = await answer(
        request({ response_type: 'id_token token', response_mode: mode, nonce: 'n-2' }),
        signedIn,
      )
      expect(response.mode).toBe('fragment')
      expectErrorOnly(response, 'unsupported_response_mode')
    },
  )

  it('posts the tokens with response_mode=form_post from a page whose CSP allows exactly its inline script', async () => {
    const nonce = oidc.randomNonce()
    const page = await signedIn.fetch(
      request({ response_type: 'id_token token', response_mode: 'form_post', nonce }),
    )
    expect(page.status).toBe(200)
    expect(page.headers.get('location')).toBeNull()
    const html = await page.clone().text()
    const scripts = [...html.matchAll(/<script>([\s\S]*?)<\/script>/g)].map((match) => match[1])
    expect(scripts).toHaveLength(1)
    const digest = createHash('sha256').update(String(scripts[0])).digest('base64')
    const csp = String(page.headers.get('content-security-policy'))
    const scriptSrc = /script-src ([^;]*)/.exec(csp)?.[1]?.split(' ')
    expect(scriptSrc).toEqual(["'self'", `'sha256-${digest}'`])
    expect(csp).toMatch(/default-src 'none'/)
    expect(csp).toMatch(/frame-ancestors 'none'/)

    const response = await readAuthorizationResponse(page)
    expect(response.target).toBe(LOOPBACK_REDIRECT_URI)
    expect(response.params.get('state')).toBe(STATE)
    await verifyIdToken(issuer, String(response.params.get('id_token')), {
      audience: LOOPBACK_APP,
      nonce,
      accessToken: String(response.params.get('access_token')),
    })
  })

  it.each([
    ['response_type given twice', 'response_type=token&response_type=token'],
    ['scope given twice', 'response_type=token&scope=openid&scope=avatar'],
    ['a nonce given twice', 'response_type=id_token%20token&nonce=a&nonce=b'],
  ])('refuses a bare token request with %s: invalid_request, no token', async (_case, query) => {
    const url = new URL(
      `${issuer}/openid/authorize?${query}&client_id=${encodeURIComponent(LOOPBACK_APP)}&redirect_uri=${encodeURIComponent(LOOPBACK_REDIRECT_URI)}&state=${STATE}`,
    )
    const response = await answer(url, signedIn)
    expectErrorOnly(response, 'invalid_request')
  })

  it('answers a malformed %-escape in a bare token request without a server error', async () => {
    const url = request({ response_type: 'token' })
    url.search += '&state2=%E0%A4%A'
    const response = await signedIn.fetch(url)
    await response.body?.cancel()
    expect(response.status).toBeLessThan(500)
    expect(response.headers.get('location') ?? '').not.toMatch(/\?.*token=/)
  })

  it('does not serve a bare token request posted as a form: the endpoint takes GET only', async () => {
    const response = await signedIn.fetch(`${issuer}/openid/authorize`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        response_type: 'token',
        client_id: LOOPBACK_APP,
        redirect_uri: LOOPBACK_REDIRECT_URI,
        scope: 'openid',
        state: STATE,
      }),
    })
    await response.body?.cancel()
    expect(response.status).toBe(404)
    expect(response.headers.get('location')).toBeNull()
  })

  it('ignores scope values it does not know, as many as 2,048 bytes hold', async () => {
    const unknown = Array.from({ length: 150 }, (_, index) => `unknown:${index}`).join(' ')
    const response = await answer(
      request({ response_type: 'token', scope: `avatar ${unknown} email-ish` }),
      signedIn,
    )
    expect(String(response.params.get('scope')).split(' ').sort()).toEqual(['avatar', 'openid'])
    expect((await userinfo(response.params.get('access_token'))).status).toBe(200)
  })
})

describe('discovery tells the truth: everything it advertises works for a loopback app', () => {
  let fixture: ProviderWithAccount
  let issuer: string

  beforeAll(async () => {
    fixture = await startProviderWithAccount()
    issuer = fixture.provider.url
  })
  afterAll(() => fixture.close())

  /** A request of `responseType` from the loopback app, with a nonce and, for code, PKCE. */
  async function request(responseType: string, responseMode?: string) {
    const nonce = oidc.randomNonce()
    const verifier = oidc.randomPKCECodeVerifier()
    const url = authorizationUrl(issuer, {
      client_id: LOOPBACK_APP,
      redirect_uri: LOOPBACK_REDIRECT_URI,
      response_type: responseType,
      response_mode: responseMode,
      scope: 'openid',
      state: STATE,
      nonce,
      ...(responseType.includes('code')
        ? {
            code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
            code_challenge_method: 'S256',
          }
        : {}),
    })
    return { url, nonce, verifier }
  }

  /**
   * Expects the response to be what `responseType` promises, each part verified as an app would:
   * a code redeemed with its verifier, ID tokens checked, access tokens used at userinfo.
   */
  async function expectWorking(
    responseType: string,
    response: AuthorizationResponse,
    { nonce, verifier }: { nonce: string; verifier: string },
  ) {
    const params = Object.fromEntries(response.params)
    expect(params).not.toHaveProperty('error')
    expect(params.state).toBe(STATE)
    let accessToken = params.access_token
    let idToken = params.id_token
    if (responseType === 'code') {
      const redeemed = await fixture.redeemCode({ code: String(params.code), verifier })
      expect(redeemed.status).toBe(200)
      accessToken = String(redeemed.body.access_token)
      idToken = String(redeemed.body.id_token)
    }
    expect(accessToken === undefined).toBe(responseType === 'id_token')
    await verifyIdToken(issuer, String(idToken), {
      audience: LOOPBACK_APP,
      nonce,
      ...(responseType === 'id_token token' ? { accessToken } : {}),
    })
    if (accessToken !== undefined) {
      const info = await fetch(`${issuer}/openid/userinfo`, {
        headers: { authorization: `Bearer ${accessToken}` },
      })
      expect(await info.json()).toMatchObject({ sub: fixture.sub })
    }
  }

  it('lists the code flow and the OpenID Connect implicit flows, in fragment, query and form_post', async () => {
    const discovery = await (await fetch(`${issuer}/.well-known/openid-configuration`)).json()
    expect(discovery).toMatchObject({
      response_types_supported: ['code', 'id_token', 'id_token token'],
      grant_types_supported: ['authorization_code', 'implicit'],
      response_modes_supported: ['form_post', 'fragment', 'query'],
    })
  })

  it('signs ID tokens with the one algorithm it advertises', async () => {
    const discovery = await (await fetch(`${issuer}/.well-known/openid-configuration`)).json()
    expect(discovery.id_token_signing_alg_values_supported).toEqual(['RS256'])
    const { url } = await request('id_token')
    const { callback } = await signInThroughProvider(new TestBrowser(), fixture.authenticator, url)
    const response = await readAuthorizationResponse(callback)
    const [header] = String(response.params.get('id_token')).split('.')
    expect(JSON.parse(Buffer.from(String(header), 'base64url').toString())).toMatchObject({
      alg: 'RS256',
      kid: expect.any(String),
    })
  })

  it('completes every advertised response type with a passkey, in every advertised response mode', async () => {
    const discovery = (await (
      await fetch(`${issuer}/.well-known/openid-configuration`)
    ).json()) as {
      response_types_supported: string[]
      response_modes_supported: string[]
      grant_types_supported: string[]
    }
    const grantTypes = new Set<string>()
    for (const responseType of discovery.response_types_supported) {
      // A new browser signs in with the passkey in the response type's default mode...
      const browser = new TestBrowser()
      const first = await request(responseType)
      const { callback } = await signInThroughProvider(browser, fixture.authenticator, first.url)
      const response = await readAuthorizationResponse(callback)
      expect(response.mode).toBe(responseType === 'code' ? 'query' : 'fragment')
      await expectWorking(responseType, response, first)
      grantTypes.add(responseType === 'code' ? 'authorization_code' : 'implicit')

      // ...then, signed in, asks again in each mode. Query never carries tokens (OpenID Connect
      // Core 3.3.2.5 and OAuth 2.0 Multiple Response Types): that refusal is tested above.
      for (const mode of discovery.response_modes_supported) {
        if (mode === 'query' && responseType !== 'code') continue
        const again = await request(responseType, mode)
        const answer = await browser.fetch(again.url)
        const arrival =
          mode === 'form_post' ? answer : new URL(String(answer.headers.get('location')))
        const result = await readAuthorizationResponse(arrival)
        expect(result.mode, `${responseType} in ${mode}`).toBe(mode)
        expect(result.target).toBe(LOOPBACK_REDIRECT_URI)
        await expectWorking(responseType, result, again)
      }
    }
    expect([...grantTypes].sort()).toEqual([...discovery.grant_types_supported].sort())
  })
})
