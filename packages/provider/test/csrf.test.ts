import { createSoftwareAuthenticator } from '@passkey-id/authenticator'
import { PAGE_ACCEPT, TestBrowser, visibleText } from '@passkey-id/testing/http'
import {
  LOOPBACK_APP,
  LOOPBACK_REDIRECT_URI,
  type ProviderWithAccount,
  startProviderWithAccount,
} from '@passkey-id/testing/provider'
import {
  buildAuthorizationRequest,
  type OpenInteraction,
  openInteraction,
} from '@passkey-id/testing/sign-in'
import type { PublicKeyCredentialRequestOptionsJSON } from '@simplewebauthn/server'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

const CROSS_SITE_MESSAGE =
  'This request did not come from the sign-in page, so nothing was changed. Reload that page and try again.'

describe('interaction steps refuse requests from other sites (CSRF)', () => {
  let fixture: ProviderWithAccount
  let accounts = 0

  beforeAll(async () => {
    fixture = await startProviderWithAccount()
  })
  afterAll(() => fixture.close())

  /** A new account signed up in a new browser, which now shows the consent page. */
  async function atConsentPage(): Promise<{ browser: TestBrowser; consent: OpenInteraction }> {
    const { browser, interaction } = await fixture.openSignInPage()
    accounts += 1
    const options = await browser.postJson(`${interaction.base}/sign-up/options`, {
      username: `person${accounts}`,
    })
    const created = await browser.postJson<{ redirectTo: string }>(
      `${interaction.base}/sign-up`,
      createSoftwareAuthenticator().register(options.body as never, {
        origin: fixture.provider.url,
      }),
    )
    expect(created.status).toBe(200)
    const consent = await openInteraction(
      browser,
      new URL(created.body.redirectTo, fixture.provider.url),
    )
    expect(consent.page).toContain('name="decision"')
    return { browser, consent }
  }

  function postConsent(
    browser: TestBrowser,
    consent: OpenInteraction,
    site: 'same-origin' | 'cross-site',
  ) {
    return browser.fetch(`${consent.base}/consent`, {
      method: 'POST',
      site,
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: PAGE_ACCEPT },
      body: new URLSearchParams({ decision: 'allow' }),
    })
  }

  it.each([
    ['sign-in/options', {}],
    ['sign-in', { id: 'AAAA' }],
    ['sign-up/options', { username: 'mallory' }],
    ['sign-up', { id: 'AAAA' }],
  ])('refuses a cross-site POST to %s with 403 cross_site_request', async (step, body) => {
    const { browser, interaction } = await fixture.openSignInPage()
    const answer = await browser.postJson(`${interaction.base}/${step}`, body, {
      site: 'cross-site',
    })
    expect(answer).toEqual({
      status: 403,
      body: { error: 'cross_site_request', message: CROSS_SITE_MESSAGE },
    })
  })

  // TestBrowser models same-origin and cross-site only; these requests set the headers by hand. The
  // check comes before the interaction is looked up, so they need no cookie.
  it('refuses a same-site (sibling subdomain) POST too', async () => {
    const { interaction } = await fixture.openSignInPage()
    const refused = await fetch(`${interaction.base}/sign-in/options`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'sec-fetch-site': 'same-site' },
      body: '{}',
    })
    expect(refused.status).toBe(403)
    expect(await refused.json()).toMatchObject({ error: 'cross_site_request' })
  })

  it('falls back to Origin where a browser sends no Sec-Fetch-Site', async () => {
    const { interaction } = await fixture.openSignInPage()
    const refused = await fetch(`${interaction.base}/sign-up/options`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: 'https://evil.example.com' },
      body: JSON.stringify({ username: 'mallory' }),
    })
    expect(refused.status).toBe(403)
    expect(await refused.json()).toMatchObject({ error: 'cross_site_request' })
  })

  it('leaves the pending passkey request alone: the real answer still signs in', async () => {
    const { browser, interaction } = await fixture.openSignInPage()
    const options = await browser.postJson<PublicKeyCredentialRequestOptionsJSON>(
      `${interaction.base}/sign-in/options`,
      {},
    )
    const cross = await browser.postJson(
      `${interaction.base}/sign-in/options`,
      {},
      {
        site: 'cross-site',
      },
    )
    expect(cross.status).toBe(403)
    const done = await browser.postJson(
      `${interaction.base}/sign-in`,
      fixture.authenticator.authenticate(options.body, { origin: fixture.provider.url }),
    )
    expect(done.status).toBe(200)
  })

  describe('consent', () => {
    it('refuses a cross-site consent with a 403 page, and grants nothing', async () => {
      const { browser, consent } = await atConsentPage()
      const refused = await postConsent(browser, consent, 'cross-site')
      expect(refused.status).toBe(403)
      expect(refused.headers.get('location')).toBeNull()
      expect(refused.headers.get('content-type')).toMatch(/^text\/html/)
      expect(visibleText(await refused.text())).toContain(CROSS_SITE_MESSAGE)

      // Still at the consent step; the person's own answer goes through.
      const again = await browser.fetch(consent.base, { headers: { accept: PAGE_ACCEPT } })
      expect(await again.text()).toContain('name="decision"')
      const allowed = await postConsent(browser, consent, 'same-origin')
      expect(allowed.status).toBe(303)
    })

    it('refuses a consent POST without the interaction cookie with a 400 page', async () => {
      const { consent } = await atConsentPage()
      const response = await fetch(`${consent.base}/consent`, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          'sec-fetch-site': 'same-origin',
          accept: PAGE_ACCEPT,
        },
        body: new URLSearchParams({ decision: 'allow' }),
      })
      expect(response.status).toBe(400)
      expect(response.headers.get('location')).toBeNull()
      expect(response.headers.get('content-type')).toMatch(/^text\/html/)
      expect(visibleText(await response.text())).toContain(
        'This sign-in has expired or was started in another browser. Go back to the app and start signing in again.',
      )
    })

    it('refuses a consent POST while the sign-in is still at the passkey step (409 page)', async () => {
      const { browser, interaction } = await fixture.openSignInPage()
      const response = await postConsent(browser, interaction, 'same-origin')
      expect(response.status).toBe(409)
      expect(response.headers.get('content-type')).toMatch(/^text\/html/)
      expect(visibleText(await response.text())).toContain(
        'This step of the sign-in is already done.',
      )
    })
  })

  describe('sign-out', () => {
    it('refuses a sign-out confirmation without the form secret, and keeps the session', async () => {
      const browser = new TestBrowser()
      await fixture.signIn({ browser })
      for (const xsrf of [undefined, 'forged']) {
        const response = await browser.fetch(`${fixture.provider.url}/openid/logout/confirm`, {
          method: 'POST',
          site: 'cross-site',
          headers: { 'content-type': 'application/x-www-form-urlencoded', accept: PAGE_ACCEPT },
          body: new URLSearchParams({ logout: 'yes', ...(xsrf ? { xsrf } : {}) }),
        })
        expect(response.status).toBe(400)
        expect(response.headers.get('location')).toBeNull()
        expect(visibleText(await response.text())).toContain(
          'This sign-out request cannot be completed',
        )
      }
      // Still signed in: a new request from the app comes straight back with a code.
      const request = await buildAuthorizationRequest(fixture.config, {
        redirectUri: LOOPBACK_REDIRECT_URI,
      })
      const end = await browser.follow(request.url, (location) => location.origin === LOOPBACK_APP)
      expect(end.url.searchParams.get('code')).toEqual(expect.any(String))
    })
  })

  it('still signs the existing account in afterwards, with the same subject', async () => {
    await fixture.expectAccountStillSignsIn()
  })
})
