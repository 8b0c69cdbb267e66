import { createHash } from 'node:crypto'
import { PAGE_ACCEPT, TestBrowser } from '@passkey-id/testing/http'
import {
  LOOPBACK_APP,
  type ProviderWithAccount,
  startProviderWithAccount,
} from '@passkey-id/testing/provider'
import { buildAuthorizationRequest, openInteraction } from '@passkey-id/testing/sign-in'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

const PAGE = { accept: PAGE_ACCEPT }

/** A Content-Security-Policy header as directive → sources. */
function parseCsp(header: string | null): Map<string, string[]> {
  const directives = new Map<string, string[]>()
  for (const directive of (header ?? '').split(';')) {
    const [name, ...sources] = directive.trim().split(/\s+/)
    if (name) directives.set(name.toLowerCase(), sources)
  }
  return directives
}

/** Every URL a page loads or links to: src and href attributes, CSS @import and url(). */
function referencedUrls(html: string): string[] {
  const patterns = [
    /\b(?:src|href|srcset|poster|data)\s*=\s*["']?([^"'\s>]+)/gi,
    /@import\s+(?:url\()?\s*["']?([^"')\s;]+)/gi,
    /url\(\s*["']?([^"')\s]+)/gi,
  ]
  return patterns.flatMap((pattern) => [...html.matchAll(pattern)].map((match) => String(match[1])))
}

/** The bodies of `<script>` elements without a src. */
function inlineScripts(html: string): string[] {
  return [...html.matchAll(/<script\b(?![^>]*\bsrc=)[^>]*>([\s\S]*?)<\/script>/gi)].map((match) =>
    String(match[1]),
  )
}

describe('every page is locked down: CSP, no framing, no referrer, nothing loaded from elsewhere', () => {
  let fixture: ProviderWithAccount

  beforeAll(async () => {
    fixture = await startProviderWithAccount()
  })
  afterAll(() => fixture.close())

  /** Checks a page's headers and markup; returns its HTML. */
  async function expectLockedDown(response: Response): Promise<string> {
    const html = await response.text()
    expect(response.headers.get('content-type')).toMatch(/^text\/html/)

    const csp = parseCsp(response.headers.get('content-security-policy'))
    expect(csp.get('default-src')).toEqual(["'none'"])
    expect(csp.get('script-src')?.[0]).toBe("'self'")
    expect(csp.get('frame-ancestors')).toEqual(["'none'"])
    expect(csp.get('base-uri')).toEqual(["'none'"])
    for (const [directive, sources] of csp) {
      expect(sources, directive).not.toContain("'unsafe-inline'")
      expect(sources, directive).not.toContain("'unsafe-eval'")
      expect(sources, directive).not.toContain('*')
      // Only form-action names another origin: the app, where the consent form's redirect ends.
      const allowed = directive === 'form-action' ? [LOOPBACK_APP] : []
      for (const source of sources)
        if (!allowed.includes(source)) expect(source, directive).not.toMatch(/^(https?:)?\/\//)
    }
    // The only inline script allowed is one whose hash the policy names.
    for (const script of inlineScripts(html)) {
      const digest = createHash('sha256').update(script).digest('base64')
      expect(csp.get('script-src')).toContain(`'sha256-${digest}'`)
    }
    expect(html).not.toMatch(/\son[a-z]+\s*=/i)

    expect(response.headers.get('referrer-policy')).toBe('no-referrer')
    expect(response.headers.get('x-frame-options')).toBe('DENY')
    expect(response.headers.get('x-content-type-options')).toBe('nosniff')
    expect(response.headers.has('cross-origin-opener-policy')).toBe(false)

    for (const url of referencedUrls(html)) {
      expect(new URL(url, fixture.provider.url).origin, url).toBe(fixture.provider.url)
    }
    return html
  }

  it('the sign-in page', async () => {
    const { browser, interaction } = await fixture.openSignInPage()
    const response = await browser.fetch(interaction.base, { headers: PAGE })
    expect(response.status).toBe(200)
    const html = await expectLockedDown(response)
    expect(html).toContain('id="sign-up"')
    expect(referencedUrls(html)).toEqual([
      '/assets/styles.css',
      '/assets/icon.svg',
      '/assets/interaction.js',
      // Lost your passkey?
      '/recovery',
    ])
    // The consent form posts here and is redirected to the app: only the app may be a form target.
    expect(parseCsp(response.headers.get('content-security-policy')).get('form-action')).toEqual([
      "'self'",
      LOOPBACK_APP,
    ])
    expect(response.headers.get('cache-control')).toBe('no-store')
  })

  it('the consent page', async () => {
    const { browser, interaction } = await fixture.openSignInPage({ scope: 'openid email' })
    const options = await browser.postJson(`${interaction.base}/sign-in/options`, {})
    const signedIn = await browser.postJson<{ redirectTo: string }>(
      `${interaction.base}/sign-in`,
      fixture.authenticator.authenticate(options.body as never, { origin: fixture.provider.url }),
    )
    const consent = await openInteraction(
      browser,
      new URL(signedIn.body.redirectTo, fixture.provider.url),
    )
    expect(consent.page).toContain('name="decision"')
    const response = await browser.fetch(consent.base, { headers: PAGE })
    expect(response.status).toBe(200)
    const html = await expectLockedDown(response)
    expect(inlineScripts(html)).toEqual([])
  })

  it("oidc-provider's error page", async () => {
    const request = await buildAuthorizationRequest(fixture.config, {
      redirectUri: 'https://evil.example.com/cb',
    })
    const response = await new TestBrowser().fetch(request.url, { headers: PAGE })
    expect(response.status).toBe(400)
    await expectLockedDown(response)
  })

  it('the sign-out pages at /openid/logout', async () => {
    const browser = new TestBrowser()
    await fixture.signIn({ browser })
    const ask = await browser.fetch(`${fixture.provider.url}/openid/logout`, { headers: PAGE })
    expect(ask.status).toBe(200)
    const html = await expectLockedDown(ask)
    expect(html).toContain('Sign out?')
    expect(inlineScripts(html)).toEqual([])

    const xsrf = /name="xsrf" value="([^"]+)"/.exec(html)?.[1]
    const confirmed = await browser.fetch(`${fixture.provider.url}/openid/logout/confirm`, {
      method: 'POST',
      headers: { ...PAGE, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ xsrf: String(xsrf), logout: 'yes' }),
    })
    expect(confirmed.status).toBe(303)
    const done = await browser.fetch(
      new URL(String(confirmed.headers.get('location')), fixture.provider.url),
      { headers: PAGE },
    )
    expect(done.status).toBe(200)
    expect(await expectLockedDown(done)).toContain('Signed out')
  })

  it("the sign-out page without a session (oidc-provider's self-submitting form)", async () => {
    const response = await new TestBrowser().fetch(`${fixture.provider.url}/openid/logout`, {
      headers: PAGE,
    })
    expect(response.status).toBe(200)
    const html = await expectLockedDown(response)
    expect(inlineScripts(html)).toHaveLength(1)
  })

  it.each([
    ['the front page', '/', 200],
    ['the not-found page', '/nothing-here', 404],
    ['the not-found page under /openid/', '/openid/nothing-here', 404],
  ])('%s', async (_case, path, status) => {
    const response = await fetch(`${fixture.provider.url}${path}`, { headers: PAGE })
    expect(response.status).toBe(status)
    await expectLockedDown(response)
  })

  it('the interaction error pages', async () => {
    const expired = await new TestBrowser().fetch(
      `${fixture.provider.url}/interaction/expired-uid`,
      { headers: PAGE },
    )
    expect(expired.status).toBe(400)
    await expectLockedDown(expired)

    const { browser, interaction } = await fixture.openSignInPage()
    const malformed = await browser.fetch(`${interaction.base}/consent`, {
      method: 'POST',
      headers: { ...PAGE, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ decision: 'maybe' }),
    })
    expect(malformed.status).toBe(400)
    await expectLockedDown(malformed)
  })

  it.each([
    ['a malformed %-escape', '/interaction/%ZZ', 400, 'The address is malformed.'],
    ['an over-long path', `/interaction/${'a'.repeat(3000)}`, 414, 'The address is too long.'],
  ])(
    'answers %s with the same headers, without echoing the address',
    async (_case, path, status, message) => {
      const response = await fetch(`${fixture.provider.url}${path}`)
      expect(response.status).toBe(status)
      expect(
        parseCsp(response.headers.get('content-security-policy')).get('frame-ancestors'),
      ).toEqual(["'none'"])
      expect(response.headers.get('referrer-policy')).toBe('no-referrer')
      expect(await response.json()).toEqual({ error: 'invalid_request', message })
    },
  )

  it('the avatars apps embed: cross-origin images that run nothing opened as documents', async () => {
    const response = await fetch(`${fixture.provider.url}/avatars/owl.svg`)
    expect(response.status).toBe(200)
    expect(response.headers.get('content-type')).toBe('image/svg+xml')
    expect(response.headers.get('content-security-policy')).toBe(
      "default-src 'none'; style-src 'unsafe-inline'; sandbox",
    )
    expect(response.headers.get('x-content-type-options')).toBe('nosniff')
    expect(response.headers.get('cross-origin-resource-policy')).toBe('cross-origin')
    expect(await response.text()).toMatch(/^<svg /)
    // The provider's own icon gets the pages' headers.
    const icon = await fetch(`${fixture.provider.url}/assets/icon.svg`)
    expect(icon.headers.get('x-content-type-options')).toBe('nosniff')
  })

  it('the stylesheet imports nothing from elsewhere', async () => {
    const response = await fetch(`${fixture.provider.url}/assets/styles.css`)
    expect(response.status).toBe(200)
    const css = await response.text()
    for (const url of referencedUrls(css)) {
      expect(new URL(url, fixture.provider.url).origin, url).toBe(fixture.provider.url)
    }
  })
})
