import { createSoftwareAuthenticator, type SoftwareAuthenticator } from '@passkey-id/authenticator'
import { TestBrowser } from '@passkey-id/testing/http'
import { LOOPBACK_APP, startTestProvider, type TestProvider } from '@passkey-id/testing/provider'
import {
  buildAuthorizationRequest,
  discoverAsApp,
  signInThroughProvider,
  signInWithCodeFlow,
} from '@passkey-id/testing/sign-in'
import * as oidc from 'openid-client'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

const REDIRECT_URI = `${LOOPBACK_APP}/docs/static/oauth2-redirect.html`

describe('authorization code flow with a real relying party (openid-client)', () => {
  let provider: TestProvider
  let config: oidc.Configuration

  beforeAll(async () => {
    provider = await startTestProvider()
    config = await discoverAsApp(provider.url, LOOPBACK_APP)
  })
  afterAll(() => provider.close())

  function signIn(
    browser: TestBrowser,
    authenticator: SoftwareAuthenticator,
    signUp?: { username: string; email?: string },
    scope = 'openid avatar email',
  ) {
    return signInWithCodeFlow(config, browser, authenticator, {
      redirectUri: REDIRECT_URI,
      scope,
      script: { signUp },
    })
  }

  it('signs up with a passkey, consents, and gets verified tokens, userinfo and introspection', async () => {
    const browser = new TestBrowser()
    const authenticator = createSoftwareAuthenticator()
    const { tokens, outcome } = await signIn(browser, authenticator, {
      username: 'alice',
      email: 'alice@example.com',
    })

    expect(outcome.sawConsent).toBe(true)
    expect(outcome.callback.searchParams.get('iss')).toBe(provider.url)
    const claims = tokens.claims()
    expect(claims?.iss).toBe(provider.url)
    expect(claims?.aud).toBe(LOOPBACK_APP)
    expect(tokens.token_type.toLowerCase()).toBe('bearer')
    expect(tokens.expires_in).toBeGreaterThan(500)
    expect(tokens.expires_in).toBeLessThanOrEqual(600)
    expect(tokens.refresh_token).toBeUndefined()

    const header = JSON.parse(
      Buffer.from(String(tokens.id_token).split('.')[0] ?? '', 'base64url').toString(),
    )
    expect(header.alg).toBe('RS256')
    expect(header.kid).toEqual(expect.any(String))

    const userinfo = await oidc.fetchUserInfo(config, tokens.access_token, String(claims?.sub))
    expect(userinfo).toEqual({
      sub: claims?.sub,
      nickname: 'alice',
      preferred_username: 'alice',
      picture: expect.stringMatching(new RegExp(`^${provider.url}/avatars/[a-z]+\\.svg$`)),
      email: 'alice@example.com',
      email_verified: false,
    })
    const avatar = await fetch(String(userinfo.picture))
    expect(avatar.status).toBe(200)
    expect(avatar.headers.get('content-type')).toBe('image/svg+xml')

    const introspection = await oidc.tokenIntrospection(config, tokens.access_token)
    expect(introspection).toMatchObject({
      active: true,
      sub: claims?.sub,
      client_id: LOOPBACK_APP,
      scope: 'openid avatar email',
    })
  })

  it('signs in again with the same passkey in a new browser without a consent page, same sub', async () => {
    const authenticator = createSoftwareAuthenticator()
    const first = await signIn(new TestBrowser(), authenticator, { username: 'bob' })
    const again = await signIn(new TestBrowser(), authenticator)
    expect(again.outcome.sawConsent).toBe(false)
    expect(again.tokens.claims()?.sub).toBe(first.tokens.claims()?.sub)
    const fewer = await signIn(new TestBrowser(), authenticator, undefined, 'openid')
    expect(fewer.outcome.sawConsent).toBe(false)
  })

  it('releases only what the granted scopes cover', async () => {
    const authenticator = createSoftwareAuthenticator()
    const { tokens } = await signIn(
      new TestBrowser(),
      authenticator,
      { username: 'carol', email: 'carol@example.com' },
      'openid',
    )
    const userinfo = await oidc.fetchUserInfo(config, tokens.access_token, oidc.skipSubjectCheck)
    expect(Object.keys(userinfo)).toEqual(['sub'])
  })

  it('returns access_denied to the app when the person denies, and remembers nothing', async () => {
    const authenticator = createSoftwareAuthenticator()
    const request = await buildAuthorizationRequest(config, {
      redirectUri: REDIRECT_URI,
      scope: 'openid email',
    })
    const denied = await signInThroughProvider(new TestBrowser(), authenticator, request.url, {
      signUp: { username: 'erin' },
      consent: 'deny',
    })
    expect(denied.callback.origin + denied.callback.pathname).toBe(REDIRECT_URI)
    expect(Object.fromEntries(denied.callback.searchParams)).toEqual({
      error: 'access_denied',
      error_description: expect.any(String),
      state: request.state,
      iss: provider.url,
    })
    const again = await signIn(new TestBrowser(), authenticator, undefined, 'openid email')
    expect(again.outcome.sawConsent).toBe(true)
  })

  it('publishes an RS256 and an ES256 public key, each with a kid and nothing private', async () => {
    const { keys } = (await (await fetch(`${provider.url}/openid/jwks`)).json()) as {
      keys: Array<Record<string, string>>
    }
    expect(keys.map((key) => key.alg).sort()).toEqual(['ES256', 'RS256'])
    for (const key of keys) {
      expect(key.kid).toEqual(expect.any(String))
      expect(key.use).toBe('sig')
      expect(key).not.toHaveProperty('d')
      expect(key).not.toHaveProperty('p')
    }
  })

  it('keeps accounts, passkeys, consent and keys across a restart', async () => {
    const authenticator = createSoftwareAuthenticator()
    const before = await signIn(new TestBrowser(), authenticator, { username: 'dave' })
    const jwksBefore = await (await fetch(`${provider.url}/openid/jwks`)).json()
    provider = await provider.restart()
    config = await discoverAsApp(provider.url, LOOPBACK_APP)
    const after = await signIn(new TestBrowser(), authenticator)
    expect(after.outcome.sawConsent).toBe(false)
    expect(after.tokens.claims()?.sub).toBe(before.tokens.claims()?.sub)
    expect(await (await fetch(`${provider.url}/openid/jwks`)).json()).toEqual(jwksBefore)
  })
})
