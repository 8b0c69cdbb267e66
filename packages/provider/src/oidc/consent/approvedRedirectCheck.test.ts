import { createHash, randomBytes } from 'node:crypto'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { createSoftwareAuthenticator } from '@passkey-id/authenticator'
import { TestBrowser, visibleText } from '@passkey-id/testing/http'
import { startTestProvider, type TestProvider } from '@passkey-id/testing/provider'
import { discoverAsApp, signInWithCodeFlow } from '@passkey-id/testing/sign-in'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

/**
 * The attack of issue 11, item 1, replayed: an app whose origin has an open redirector
 * (`/go?to=...`), a person who allowed the app once, and an attacker's authorization URL whose
 * redirect_uri is that redirector. Before the check, the provider answered at once, the browser
 * carried the fragment across the app's 302 and the attacker's page read the token; now the consent
 * page names the full URI and nothing leaves the provider without a click.
 */
describe('a token or code in a fragment or form_post reaches only an approved redirect_uri', () => {
  let provider: TestProvider
  let appServer: Server
  let attackerServer: Server
  /** The app's origin, a loopback app (so the implicit flows are on by default). */
  let app: string
  let attacker: string
  const authenticator = createSoftwareAuthenticator()
  /** The person's browser, signed in to the provider, having allowed the app once. */
  const browser = new TestBrowser()

  beforeAll(async () => {
    appServer = await listen('localhost', (url) => url.searchParams.get('to') ?? undefined)
    attackerServer = await listen('127.0.0.1', () => undefined)
    app = `http://localhost:${(appServer.address() as AddressInfo).port}`
    attacker = `http://127.0.0.1:${(attackerServer.address() as AddressInfo).port}`
    provider = await startTestProvider()
    const config = await discoverAsApp(provider.url, app)
    const { outcome } = await signInWithCodeFlow(config, browser, authenticator, {
      redirectUri: `${app}/cb`,
      scope: 'openid email',
      script: { signUp: { username: 'victim', email: 'victim@example.com' } },
    })
    expect(outcome.sawConsent).toBe(true)
  })
  afterAll(async () => {
    await provider.close()
    appServer.close()
    attackerServer.close()
  })

  /** The attacker's authorization URL: the app's client_id, the redirector as redirect_uri. */
  function attackUrl(params: Record<string, string>): URL {
    const url = new URL(`${provider.url}/openid/authorize`)
    url.search = new URLSearchParams({
      client_id: app,
      redirect_uri: `${app}/go?to=${encodeURIComponent(`${attacker}/steal`)}`,
      scope: 'openid email',
      nonce: 'attacker-nonce',
      state: 'attacker-state',
      ...params,
    }).toString()
    return url
  }

  /** What the attacker's page got in its fragment, if the browser ever reached it. */
  async function visit(url: URL): Promise<{ stolen?: URLSearchParams; page?: string }> {
    const end = await followLikeABrowser(browser, url, (at) => at.origin === attacker)
    if (end.url.origin === attacker) return { stolen: new URLSearchParams(end.url.hash.slice(1)) }
    expect(end.url.origin).toBe(provider.url)
    return { page: await end.response?.text() }
  }

  /** The consent page, naming the redirector's full URI, is where the browser stops. */
  function expectConsentNamingRedirector(page: string | undefined): void {
    expect(page).toContain('name="decision"')
    const text = visibleText(String(page))
    expect(text).toContain(
      `Allow sends you to ${app}/go?to=${encodeURIComponent(`${attacker}/steal`)}`,
    )
    expect(text).toContain('You allowed this app before, but not to send your sign-in')
  }

  it('response_type "id_token token": no token reaches the attacker, the consent page names the URI', async () => {
    const { stolen, page } = await visit(attackUrl({ response_type: 'id_token token' }))
    // Before the check: the attacker's page had the person's access token and read their email.
    if (stolen !== undefined) {
      const userinfo = await fetch(`${provider.url}/openid/userinfo`, {
        headers: { authorization: `Bearer ${stolen.get('access_token')}` },
      })
      expect({ status: userinfo.status, body: await userinfo.json() }).toBeUndefined()
    }
    expectConsentNamingRedirector(page)
  })

  it('code with response_mode=fragment and the attacker PKCE challenge: no code reaches the attacker', async () => {
    const verifier = randomBytes(32).toString('base64url')
    const { stolen, page } = await visit(
      attackUrl({
        response_type: 'code',
        response_mode: 'fragment',
        code_challenge: createHash('sha256').update(verifier).digest('base64url'),
        code_challenge_method: 'S256',
      }),
    )
    expect(stolen?.get('code') ?? null).toBeNull()
    expectConsentNamingRedirector(page)
  })

  it('response_mode=form_post: the consent page comes instead of the form to the redirector', async () => {
    const { page } = await visit(
      attackUrl({ response_type: 'id_token token', response_mode: 'form_post' }),
    )
    expect(page).not.toContain('access_token')
    expectConsentNamingRedirector(page)
  })

  it('after the person allows that exact URI, and only then, it is answered at once', async () => {
    const exact = `${app}/implicit-cb`
    const request = attackUrl({ response_type: 'id_token', redirect_uri: exact })
    const first = await visit(request)
    expect(first.page).toContain('name="decision"')
    const uid = /\/interaction\/([\w-]+)\/consent/.exec(String(first.page))?.[1]
    const allowed = await browser.fetch(`${provider.url}/interaction/${uid}/consent`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ decision: 'allow' }),
    })
    expect(allowed.status).toBe(303)
    const delivered = await followLikeABrowser(
      browser,
      new URL(String(allowed.headers.get('location')), provider.url),
      (at) => at.origin === app,
    )
    expect(new URLSearchParams(delivered.url.hash.slice(1)).get('id_token')).toEqual(
      expect.any(String),
    )
    // Passwordless.ID's connect library asks this way each time: the same URI goes straight back.
    const again = await followLikeABrowser(browser, request, (at) => at.origin === app)
    expect(again.url.href.startsWith(`${exact}#`)).toBe(true)
    // One character more is another URI: the consent page again.
    const other = await visit(attackUrl({ response_type: 'id_token', redirect_uri: `${exact}/` }))
    expect(visibleText(String(other.page))).toContain(`Allow sends you to ${exact}/`)
  })

  it('refuses a redirect_uri with a space or control character, which would read as two approved URIs', async () => {
    // Approved URIs are kept space-separated: allowing "<app>/cb?x= <redirector>" would have stored
    // the redirector as approved, although the person never saw it alone.
    for (const gap of [' ', '\t', '\n']) {
      const smuggled = `${app}/cb?x=${gap}${app}/go?to=${encodeURIComponent(`${attacker}/steal`)}`
      const answer = await browser.fetch(
        attackUrl({ response_type: 'id_token', redirect_uri: smuggled }).href,
        { redirect: 'manual', headers: { accept: 'text/html' } },
      )
      expect(answer.status).toBe(400)
      expect(answer.headers.get('location')).toBeNull()
      expect(visibleText(await answer.text())).toContain('redirect_uri')
    }
  })
})

/** A server on a free port of `host` that redirects (302) where `redirect` says, else answers 200. */
async function listen(host: string, redirect: (url: URL) => string | undefined): Promise<Server> {
  const server = createServer((request, response) => {
    const location = redirect(new URL(String(request.url), 'http://localhost'))
    if (location === undefined) response.writeHead(200).end('ok')
    else response.writeHead(302, { location }).end()
  })
  await new Promise<void>((resolve) => server.listen(0, host, resolve))
  return server
}

/**
 * Follows redirects as a browser does, fragment included: a `Location` without a fragment keeps the
 * one of the URL redirected from (RFC 9110, section 10.2.2), which is how a token in a fragment
 * crosses an open redirector. Stops at a page, or when `stopAt` says so.
 */
async function followLikeABrowser(
  browser: TestBrowser,
  start: URL,
  stopAt: (location: URL) => boolean,
): Promise<{ url: URL; response?: Response }> {
  let current = start
  for (let hops = 0; hops < 10; hops += 1) {
    if (stopAt(current)) return { url: current }
    const response = await browser.fetch(current)
    const location = response.headers.get('location')
    if (response.status < 300 || response.status >= 400 || location === null)
      return { url: current, response }
    const next = new URL(location, current)
    if (next.hash === '') next.hash = current.hash
    current = next
  }
  throw new Error(`more than 10 redirects from ${start}`)
}
