import { createSoftwareAuthenticator } from '@passkey-id/authenticator'
import { type TestDatabase, testDatabaseUrl } from '@passkey-id/testing/database'
import { PAGE_ACCEPT, TestBrowser } from '@passkey-id/testing/http'
import {
  LOOPBACK_APP,
  LOOPBACK_REDIRECT_URI,
  startProviderWithAccount,
  startTestProvider,
  type TestProvider,
} from '@passkey-id/testing/provider'
import {
  buildAuthorizationRequest,
  discoverAsApp,
  openInteraction,
  signInWithCodeFlow,
} from '@passkey-id/testing/sign-in'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

// Who may sign up (SIGNUPS), which apps may ask (ALLOWED_APPS), and one account per interaction.

describe('SIGNUPS=closed', () => {
  let database: TestDatabase
  let provider: TestProvider
  const authenticator = createSoftwareAuthenticator()
  let sub: string

  beforeAll(async () => {
    database = await testDatabaseUrl()
    const open = await startTestProvider({}, database)
    const config = await discoverAsApp(open.url, LOOPBACK_APP)
    const { tokens } = await signInWithCodeFlow(config, new TestBrowser(), authenticator, {
      redirectUri: LOOPBACK_REDIRECT_URI,
      script: { signUp: { username: 'alice' } },
    })
    sub = String(tokens.claims()?.sub)
    await open.stop()
    provider = await startTestProvider({ SIGNUPS: 'closed' }, database)
  })
  afterAll(() => provider.close())

  async function signInPage() {
    const config = await discoverAsApp(provider.url, LOOPBACK_APP)
    const request = await buildAuthorizationRequest(config, { redirectUri: LOOPBACK_REDIRECT_URI })
    const browser = new TestBrowser()
    return { browser, interaction: await openInteraction(browser, request.url) }
  }

  it('offers no sign-up form, and says so', async () => {
    const { interaction } = await signInPage()
    // One form holds the Username field for sign-in (autofill) and sign-up: closed, it has neither
    // the sign-up's Email field nor its button.
    expect(interaction.page).toContain('data-sign-ups="closed"')
    expect(interaction.page).not.toContain('Create account')
    expect(interaction.page).not.toContain('id="email"')
    expect(interaction.page).toContain('New accounts are not created here')
    expect(interaction.page).toContain('id="sign-in"')
  })

  it('refuses a sign-up with 403 sign_ups_closed, as JSON for the script and a page for a browser', async () => {
    const { browser, interaction } = await signInPage()
    for (const step of ['sign-up/options', 'sign-up']) {
      const answer = await browser.postJson(`${interaction.base}/${step}`, { username: 'bob' })
      expect(answer).toEqual({
        status: 403,
        body: {
          error: 'sign_ups_closed',
          message:
            'Sign-ups are closed on this provider (SIGNUPS=closed): only existing accounts sign in.',
        },
      })
    }
    const page = await browser.fetch(`${interaction.base}/sign-up/options`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: PAGE_ACCEPT },
      body: JSON.stringify({ username: 'bob' }),
    })
    expect(page.status).toBe(403)
    expect(await page.text()).toContain('New accounts cannot be created here')
  })

  it('signs an existing account in, to the same subject', async () => {
    const config = await discoverAsApp(provider.url, LOOPBACK_APP)
    const { tokens } = await signInWithCodeFlow(config, new TestBrowser(), authenticator, {
      redirectUri: LOOPBACK_REDIRECT_URI,
    })
    expect(tokens.claims()?.sub).toBe(sub)
  })
})

describe('ALLOWED_APPS', () => {
  let provider: TestProvider
  beforeAll(async () => {
    provider = await startTestProvider({ ALLOWED_APPS: `${LOOPBACK_APP}, *.example.com` })
  })
  afterAll(() => provider.close())

  it('shows a page naming a refused app at authorize, and redirects nowhere', async () => {
    const refused = 'http://localhost:9000'
    const url = new URL(`${provider.url}/openid/authorize`)
    url.search = new URLSearchParams({
      client_id: refused,
      redirect_uri: `${refused}/cb`,
      response_type: 'code',
      scope: 'openid',
      code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
      code_challenge_method: 'S256',
    }).toString()
    const response = await fetch(url, { headers: { accept: PAGE_ACCEPT }, redirect: 'manual' })
    expect(response.status).toBeGreaterThanOrEqual(400)
    expect(response.headers.get('location')).toBeNull()
    const page = await response.text()
    expect(page).toContain(
      `This service does not sign in to the app ${refused}: its operator lets only certain apps use it.`,
    )
  })

  it('refuses a refused app at the token endpoint too (invalid_client)', async () => {
    const response = await fetch(`${provider.url}/openid/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        client_id: 'https://evil.example.net',
        code: 'x'.repeat(43),
        redirect_uri: 'https://evil.example.net/cb',
        code_verifier: 'v'.repeat(43),
      }),
    })
    expect(response.status).toBe(401)
    expect(((await response.json()) as { error: string }).error).toBe('invalid_client')
  })

  it('signs in to an allowed app, as before', async () => {
    const config = await discoverAsApp(provider.url, LOOPBACK_APP)
    const { tokens } = await signInWithCodeFlow(
      config,
      new TestBrowser(),
      createSoftwareAuthenticator(),
      { redirectUri: LOOPBACK_REDIRECT_URI, script: { signUp: { username: 'carol' } } },
    )
    expect(tokens.access_token).toBeTypeOf('string')
  })
})

describe('one interaction creates at most one account', () => {
  it('refuses the 70 sign-ups that follow the first in the same interaction', async () => {
    // Look-ups are limited too (usernameLookUps): off here, where only this rule is tested.
    const fixture = await startProviderWithAccount({ env: { RATE_LIMITS: 'off' } })
    try {
      const { browser, interaction } = await fixture.openSignInPage()
      const origin = new URL(fixture.provider.url).origin
      const signUp = async (username: string) => {
        const options = await browser.postJson(`${interaction.base}/sign-up/options`, {
          username,
        })
        if (options.status !== 200) return options
        const response = createSoftwareAuthenticator().register(options.body as never, { origin })
        return browser.postJson(`${interaction.base}/sign-up`, response)
      }
      expect((await signUp('first')).status).toBe(200)
      for (let index = 0; index < 70; index += 1) {
        const answer = await signUp(`squatter${index}`)
        expect(answer).toMatchObject({ status: 409, body: { error: 'out_of_order' } })
      }
      // None of them exists: each name is still free at a new sign-in page.
      const fresh = await fixture.openSignInPage()
      for (const username of ['squatter0', 'squatter69']) {
        const answer = await fresh.browser.postJson(`${fresh.interaction.base}/sign-up/options`, {
          username,
        })
        expect(answer.status).toBe(200)
      }
    } finally {
      await fixture.close()
    }
  })
})
