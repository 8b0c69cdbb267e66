import { PAGE_ACCEPT, TestBrowser, visibleText } from '@passkey-id/testing/http'
import {
  LOOPBACK_APP,
  LOOPBACK_REDIRECT_URI,
  type ProviderWithAccount,
  startProviderWithAccount,
} from '@passkey-id/testing/provider'
import { signOutOfProvider } from '@passkey-id/testing/sign-in'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { authorizationUrl } from './support/authorizationUrl.ts'
import { expectRefusalPage } from './support/expectRefusalPage.ts'

const WEB_APP = 'https://app.example.com'
const PAGE = { accept: PAGE_ACCEPT }
/** The S256 challenge of RFC 7636's example verifier: any well-formed one will do here. */
const CODE_CHALLENGE = 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM'

describe('apps are their origins: client_id and redirect_uri are checked before any redirect', () => {
  let fixture: ProviderWithAccount

  beforeAll(async () => {
    fixture = await startProviderWithAccount()
  })
  afterAll(() => fixture.close())

  /** An authorization URL with valid defaults; `undefined` leaves a parameter out. */
  function authorize(params: Record<string, string | undefined>): URL {
    return authorizationUrl(fixture.provider.url, {
      response_type: 'code',
      scope: 'openid',
      code_challenge: CODE_CHALLENGE,
      code_challenge_method: 'S256',
      state: 'state-1',
      ...params,
    })
  }

  /** Opens the URL as a browser would and expects the provider's own 400 page, never a redirect. */
  async function expectRefusedUrl(url: URL): Promise<string> {
    const response = await new TestBrowser().fetch(url, { headers: PAGE })
    return (await expectRefusalPage(response, 'sign-in')).text
  }

  describe('a redirect_uri off the app origin gets an error page on the provider', () => {
    it.each([
      ['another host', 'https://evil.example.com/cb'],
      ['another port', 'https://app.example.com:8443/cb'],
      ['another scheme', 'http://app.example.com/cb'],
      ['a host that only starts like the app', 'https://app.example.com.evil.com/cb'],
      ['credentials', 'https://x@app.example.com/cb'],
      ['a fragment', 'https://app.example.com/cb#token'],
      ['a relative path', '/cb'],
      ['a script URL', 'javascript:alert(1)'],
    ])('%s (%s)', async (_case, redirectUri) => {
      const text = await expectRefusedUrl(
        authorize({ client_id: WEB_APP, redirect_uri: redirectUri }),
      )
      expect(text).toContain(`The redirect_uri "${redirectUri}" is not on the app's origin`)
      expect(text).toContain(`Use a redirect_uri on ${WEB_APP}.`)
    })

    it.each([
      ['another port', 'http://localhost:9000/cb'],
      ['https instead of http', 'https://localhost:8000/cb'],
      ['a name under localhost', 'http://app.localhost:8000/cb'],
      ['another host on the same port', 'http://evil.example.com:8000/cb'],
    ])('for a loopback app: %s (%s)', async (_case, redirectUri) => {
      const text = await expectRefusedUrl(
        authorize({ client_id: LOOPBACK_APP, redirect_uri: redirectUri }),
      )
      expect(text).toContain(`is not on the app's origin (${LOOPBACK_APP})`)
    })

    it('refuses a missing redirect_uri rather than guessing one', async () => {
      const text = await expectRefusedUrl(
        authorize({ client_id: WEB_APP, redirect_uri: undefined }),
      )
      expect(text).toContain('The request has no redirect_uri')
      expect(text).toContain(`on the app's origin (${WEB_APP})`)
    })

    it('accepts every loopback name for a loopback app (same scheme and port)', async () => {
      for (const redirectUri of ['http://127.0.0.1:8000/cb', 'http://[::1]:8000/cb']) {
        const response = await new TestBrowser().fetch(
          authorize({ client_id: LOOPBACK_APP, redirect_uri: redirectUri }),
          { headers: PAGE },
        )
        expect(response.status).toBe(303)
        expect(response.headers.get('location')).toMatch(/^\/interaction\//)
      }
    })
  })

  describe('a client_id that is not a canonical origin gets an error page naming the fix', () => {
    it.each([
      ['HTTP://LocalHost:8000/', 'http://localhost:8000'],
      ['http://localhost:8000/', 'http://localhost:8000'],
      ['https://App.Example.com:443', 'https://app.example.com'],
      [' https://app.example.com', 'https://app.example.com'],
    ])('%j: use %s', async (clientId, canonical) => {
      const text = await expectRefusedUrl(
        authorize({ client_id: clientId, redirect_uri: `${canonical}/cb` }),
      )
      expect(text).toContain(`The client_id "${clientId}" is not written as an origin.`)
      expect(text).toContain(`Use "${canonical}".`)
    })

    it.each([
      'localhost:8000',
      'http://example.com',
      'https://example.com/app',
      'https://user:pw@example.com',
      'ftp://example.com',
      'javascript:alert(1)',
    ])('%j is no origin at all', async (clientId) => {
      const text = await expectRefusedUrl(
        authorize({ client_id: clientId, redirect_uri: 'http://localhost:8000/cb' }),
      )
      expect(text).toMatch(/client_id/)
      expect(text).toContain('https://app.example.com')
    })

    it('explains that plain http is only for this machine', async () => {
      const text = await expectRefusedUrl(
        authorize({ client_id: 'http://example.com', redirect_uri: 'http://example.com/cb' }),
      )
      expect(text).toContain('The client_id "http://example.com" is not an app origin.')
      expect(text).toContain('plain http only on localhost')
    })

    it.each([
      ['missing', undefined],
      ['empty', ''],
    ])('explains a %s client_id', async (_case, clientId) => {
      const text = await expectRefusedUrl(
        authorize({ client_id: clientId, redirect_uri: LOOPBACK_REDIRECT_URI }),
      )
      expect(text).toContain('The request has no client_id.')
      expect(text).toContain("the client_id is the app's origin, such as https://app.example.com")
    })

    it('refuses a client_id given twice', async () => {
      const url = authorize({ client_id: LOOPBACK_APP, redirect_uri: LOOPBACK_REDIRECT_URI })
      url.searchParams.append('client_id', WEB_APP)
      const text = await expectRefusedUrl(url)
      expect(text).toContain('client_id')
    })
  })

  describe('sign-out', () => {
    it('refuses a post_logout_redirect_uri off the app origin with a page', async () => {
      const url = new URL(`${fixture.provider.url}/openid/logout`)
      url.searchParams.set('client_id', LOOPBACK_APP)
      url.searchParams.set('post_logout_redirect_uri', 'https://evil.example.com/')
      const response = await new TestBrowser().fetch(url, { headers: PAGE })
      const { text } = await expectRefusalPage(response, 'sign-out')
      expect(text).toContain(
        `The post_logout_redirect_uri "https://evil.example.com/" is not on the app's origin (${LOOPBACK_APP})`,
      )
    })

    it('ignores a post_logout_redirect_uri that names no app, and ends on the provider', async () => {
      const browser = new TestBrowser()
      await fixture.signIn({ browser })
      const end = await signOutOfProvider(browser, fixture.provider.url, {
        post_logout_redirect_uri: 'https://evil.example.com/',
      })
      expect(end.origin).toBe(fixture.provider.url)
      const page = await browser.fetch(end, { headers: PAGE })
      expect(page.status).toBe(200)
      expect(visibleText(await page.text())).toContain('You are signed out')
    })

    it('sends the browser back to a post_logout_redirect_uri on the app origin', async () => {
      const browser = new TestBrowser()
      await fixture.signIn({ browser })
      const end = await signOutOfProvider(browser, fixture.provider.url, {
        client_id: LOOPBACK_APP,
        post_logout_redirect_uri: 'http://127.0.0.1:8000/signed-out',
        state: 'bye',
      })
      expect(`${end.origin}${end.pathname}`).toBe('http://127.0.0.1:8000/signed-out')
      expect(end.searchParams.get('state')).toBe('bye')
    })

    it('refuses a sign-out for a client_id that is not an origin', async () => {
      const url = new URL(`${fixture.provider.url}/openid/logout`)
      url.searchParams.set('client_id', 'http://localhost:8000/')
      const response = await new TestBrowser().fetch(url, { headers: PAGE })
      expect(response.status).toBe(400)
      expect(response.headers.get('location')).toBeNull()
      expect(visibleText(await response.text())).toContain('Use "http://localhost:8000".')
    })
  })

  it('still signs the existing account in afterwards, with the same subject', async () => {
    await fixture.expectAccountStillSignsIn()
  })
})
