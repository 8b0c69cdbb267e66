import { createSoftwareAuthenticator } from '@passkey-id/authenticator'
import { startTestDemo, type TestDemo } from '@passkey-id/testing/demo'
import { TestBrowser } from '@passkey-id/testing/http'
import { startTestProvider, type TestProvider } from '@passkey-id/testing/provider'
import { discoverAsApp, signInWithCodeFlow } from '@passkey-id/testing/sign-in'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

describe('the demo API', () => {
  let provider: TestProvider
  let demo: TestDemo
  let appUrl: string

  beforeAll(async () => {
    provider = await startTestProvider()
    demo = await startTestDemo(provider)
    appUrl = demo.url
  })
  afterAll(async () => {
    await demo.close()
    await provider.close()
  })

  /**
   * Signs a new account up as the docs page's authorization-code flow does (PKCE, the redirect page
   * under /docs), and returns the tokens Swagger UI would get.
   */
  async function signUpFromTheDocs(scope: string, signUp: { username: string; email?: string }) {
    const config = await discoverAsApp(provider.url, appUrl)
    const { tokens } = await signInWithCodeFlow(
      config,
      new TestBrowser(),
      createSoftwareAuthenticator(),
      {
        redirectUri: `${appUrl}/docs/static/oauth2-redirect.html`,
        scope,
        script: { signUp },
      },
    )
    return tokens
  }

  it('returns the signed-in person profile from GET /userinfo, as the seed does', async () => {
    const tokens = await signUpFromTheDocs('openid avatar email', {
      username: 'seed-reader',
      email: 'reader@example.com',
    })

    const response = await fetch(`${appUrl}/userinfo`, {
      headers: { authorization: `Bearer ${tokens.access_token}` },
    })
    expect(response.status).toBe(200)
    expect(await response.json()).toEqual({
      sub: tokens.claims()?.sub,
      nickname: 'seed-reader',
      preferred_username: 'seed-reader',
      picture: expect.stringMatching(/\/avatars\/[a-z]+\.svg$/),
      email: 'reader@example.com',
      email_verified: false,
    })
  })

  it('trades the token for a session, as the seed recommends, and signs out', async () => {
    const tokens = await signUpFromTheDocs('openid avatar', { username: 'session-user' })
    const started = await fetch(`${appUrl}/session`, {
      method: 'POST',
      headers: { authorization: `Bearer ${tokens.access_token}` },
    })
    expect(started.status).toBe(201)
    const cookie = started.headers.getSetCookie()[0]?.split(';')[0] ?? ''
    const profile = await fetch(`${appUrl}/userinfo`, { headers: { cookie } })
    expect(await profile.json()).toMatchObject({ preferred_username: 'session-user' })
    const out = await fetch(`${appUrl}/session`, {
      method: 'DELETE',
      headers: { cookie, origin: appUrl },
    })
    expect(out.status).toBe(204)
    expect((await fetch(`${appUrl}/userinfo`, { headers: { cookie } })).status).toBe(401)
  })

  it('refuses GET /userinfo without a token, with a Bearer challenge', async () => {
    const response = await fetch(`${appUrl}/userinfo`)
    expect(response.status).toBe(401)
    expect(response.headers.get('www-authenticate')).toBe(`Bearer realm="${appUrl}"`)
  })

  it('refuses a 100 kB Authorization header over real HTTP without a 5xx', async () => {
    const response = await fetch(`${appUrl}/userinfo`, {
      headers: { authorization: `Bearer ${'a'.repeat(100 * 1024)}` },
    })
    expect(response.status).toBe(431)
    expect((await fetch(`${appUrl}/userinfo`)).status).toBe(401)
  })

  it('serves Swagger UI with the provider as its openIdConnect scheme', async () => {
    const response = await fetch(`${appUrl}/docs/json`)
    const spec = await response.json()
    expect(spec.components.securitySchemes.openIdConnect.openIdConnectUrl).toBe(
      `${provider.url}/.well-known/openid-configuration`,
    )
    expect(spec.paths['/userinfo'].get.security).toEqual([{ openIdConnect: [] }])
    expect((await fetch(`${appUrl}/docs/static/index.html`)).status).toBe(200)
  })
})
