import { PAGE_ACCEPT, TestBrowser } from '@passkey-id/testing/http'
import {
  LOOPBACK_APP,
  LOOPBACK_REDIRECT_URI,
  type ProviderWithAccount,
  startProviderWithAccount,
} from '@passkey-id/testing/provider'
import { signInThroughProvider } from '@passkey-id/testing/sign-in'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { authorizationUrl } from './support/authorizationUrl.ts'
import { expectRefusalPage } from './support/expectRefusalPage.ts'
import { readAuthorizationResponse } from './support/readAuthorizationResponse.ts'
import { verifyIdToken } from './support/verifyIdToken.ts'

const WEB_APP = 'https://app.example.com'
/** Where FastAPI's docs page takes the sign-in result. */
const WEB_REDIRECT_URI = `${WEB_APP}/docs/oauth2-redirect`
const STATE = 'state-1'
const FASTAPI_FIX = 'swagger_ui_init_oauth={"usePkceWithAuthorizationCodeGrant": True}'

/** A request from `clientId` as Swagger UI's implicit flow sends it: bare token, no nonce. */
function bareTokenRequest(fixture: ProviderWithAccount, clientId: string, redirectUri: string) {
  return authorizationUrl(fixture.provider.url, {
    response_type: 'token',
    client_id: clientId,
    redirect_uri: redirectUri,
    scope: 'openid',
    state: STATE,
  })
}

/**
 * Opens `url` in a browser that is signed in to the provider (so an accepted request would be
 * answered with tokens at once) and expects the provider's 400 page, never a redirect.
 */
async function expectRefusedSignIn(fixture: ProviderWithAccount, url: URL): Promise<string> {
  const browser = new TestBrowser()
  await fixture.signIn({ browser })
  const response = await browser.fetch(url, { headers: { accept: PAGE_ACCEPT } })
  expect(response.headers.get('content-security-policy')).toMatch(/default-src 'none'/)
  const { html, text } = await expectRefusalPage(response, 'sign-in')
  expect(html).not.toMatch(/access_token|id_token=/)
  return text
}

/** Signs the account in from `url` in a new browser (consenting) and reads the fragment. */
async function signIn(fixture: ProviderWithAccount, url: URL) {
  const { callback } = await signInThroughProvider(new TestBrowser(), fixture.authenticator, url)
  return readAuthorizationResponse(callback)
}

async function userinfoStatus(fixture: ProviderWithAccount, accessToken: string | null) {
  const response = await fetch(`${fixture.provider.url}/openid/userinfo`, {
    headers: { authorization: `Bearer ${accessToken}` },
  })
  await response.body?.cancel()
  return response.status
}

describe('LEGACY_FLOWS=loopback (default): the bare token only for apps on this machine', () => {
  let fixture: ProviderWithAccount

  beforeAll(async () => {
    fixture = await startProviderWithAccount()
  })
  afterAll(() => fixture.close())

  it('refuses an https app a bare token with a page that names the fix, and sends nothing', async () => {
    const text = await expectRefusedSignIn(
      fixture,
      bareTokenRequest(fixture, WEB_APP, WEB_REDIRECT_URI),
    )
    expect(text).toContain(
      'The implicit flow without an ID token (response_type=token) is allowed only for apps on localhost.',
    )
    expect(text).toContain('Switch the app to the authorization-code flow with PKCE.')
    expect(text).toContain(FASTAPI_FIX)
    expect(text).toContain('unsupported_response_type')
  })

  it('serves the same https app id_token token with a nonce', async () => {
    const nonce = 'web-nonce'
    const response = await signIn(
      fixture,
      authorizationUrl(fixture.provider.url, {
        response_type: 'id_token token',
        client_id: WEB_APP,
        redirect_uri: WEB_REDIRECT_URI,
        scope: 'openid',
        state: STATE,
        nonce,
      }),
    )
    expect(response).toMatchObject({ mode: 'fragment', target: WEB_REDIRECT_URI })
    const accessToken = String(response.params.get('access_token'))
    await verifyIdToken(fixture.provider.url, String(response.params.get('id_token')), {
      audience: WEB_APP,
      nonce,
      accessToken,
    })
    expect(await userinfoStatus(fixture, accessToken)).toBe(200)
  })

  it('leaves a client_id that is no origin to its own error page', async () => {
    const text = await expectRefusedSignIn(
      fixture,
      bareTokenRequest(fixture, `${WEB_APP}/`, WEB_REDIRECT_URI),
    )
    expect(text).toContain(`The client_id "${WEB_APP}/" is not written as an origin.`)
  })

  it('still checks the redirect_uri of a loopback bare token request', async () => {
    const text = await expectRefusedSignIn(
      fixture,
      bareTokenRequest(fixture, LOOPBACK_APP, 'http://localhost:9000/cb'),
    )
    expect(text).toContain(`is not on the app's origin (${LOOPBACK_APP})`)
  })
})

describe('LEGACY_FLOWS=on: the bare token for every app', () => {
  let fixture: ProviderWithAccount

  beforeAll(async () => {
    fixture = await startProviderWithAccount({ env: { LEGACY_FLOWS: 'on' } })
  })
  afterAll(() => fixture.close())

  it('signs an https app in with a bare token request; the token works at userinfo', async () => {
    const response = await signIn(fixture, bareTokenRequest(fixture, WEB_APP, WEB_REDIRECT_URI))
    expect(response).toMatchObject({ mode: 'fragment', target: WEB_REDIRECT_URI })
    expect(response.params.get('state')).toBe(STATE)
    expect(await userinfoStatus(fixture, response.params.get('access_token'))).toBe(200)
  })
})

describe('LEGACY_FLOWS=off: no implicit flow at all', () => {
  let fixture: ProviderWithAccount

  beforeAll(async () => {
    fixture = await startProviderWithAccount({ env: { LEGACY_FLOWS: 'off' } })
  })
  afterAll(() => fixture.close())

  it('advertises only the code flow', async () => {
    const discovery = await (
      await fetch(`${fixture.provider.url}/.well-known/openid-configuration`)
    ).json()
    expect(discovery).toMatchObject({
      response_types_supported: ['code'],
      grant_types_supported: ['authorization_code'],
    })
  })

  it('refuses a loopback app a bare token with a page that names the fix', async () => {
    const text = await expectRefusedSignIn(
      fixture,
      bareTokenRequest(fixture, LOOPBACK_APP, LOOPBACK_REDIRECT_URI),
    )
    expect(text).toContain('This provider does not offer the implicit flow (response_type=token).')
    expect(text).toContain(FASTAPI_FIX)
  })

  it.each(['id_token', 'id_token token'])(
    'refuses %s with unsupported_response_type back to the app, and no token',
    async (responseType) => {
      const browser = new TestBrowser()
      await fixture.signIn({ browser })
      const response = await browser.fetch(
        authorizationUrl(fixture.provider.url, {
          response_type: responseType,
          client_id: LOOPBACK_APP,
          redirect_uri: LOOPBACK_REDIRECT_URI,
          scope: 'openid',
          state: STATE,
          nonce: 'n-1',
        }),
      )
      await response.body?.cancel()
      expect(response.status).toBe(303)
      const { target, params } = await readAuthorizationResponse(
        new URL(String(response.headers.get('location'))),
      )
      expect(target).toBe(LOOPBACK_REDIRECT_URI)
      expect(Object.fromEntries(params)).toEqual({
        error: 'unsupported_response_type',
        error_description: expect.any(String),
        state: STATE,
        iss: fixture.provider.url,
      })
    },
  )

  it('keeps the code flow', async () => {
    await fixture.expectAccountStillSignsIn()
  })
})
