import { openDatabase } from '@passkey-id/store'
import { PAGE_ACCEPT, TestBrowser, visibleText } from '@passkey-id/testing/http'
import {
  LOOPBACK_APP,
  LOOPBACK_REDIRECT_URI,
  type ProviderWithAccount,
  startProviderWithAccount,
} from '@passkey-id/testing/provider'
import {
  buildAuthorizationRequest,
  discoverAsApp,
  signInThroughProvider,
  signInWithCodeFlow,
  signOutOfProvider,
} from '@passkey-id/testing/sign-in'
import {
  calculateJwkThumbprint,
  createLocalJWKSet,
  decodeJwt,
  errors,
  exportJWK,
  generateKeyPair,
  importJWK,
  type JSONWebKeySet,
  type JWK,
  type JWTPayload,
  jwtVerify,
  SignJWT,
} from 'jose'
import * as oidc from 'openid-client'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { ProviderDatabase } from '../src/store/schema.ts'
import { expectRefusalPage } from './support/expectRefusalPage.ts'

/** A second app, on another origin than `LOOPBACK_APP`. */
const APP_B = 'https://app.example.com'
const PAGE = { accept: PAGE_ACCEPT }
const FORM = { ...PAGE, 'content-type': 'application/x-www-form-urlencoded' }
const REFUSED = 'This sign-out request cannot be completed'
/** What a person reads when an id_token_hint is refused; oidc-provider's reason is in the details. */
const HINT_REFUSED =
  "The app's sign-out request carries an ID token (id_token_hint) that cannot be accepted here"
const KiB = 1024

describe('RP-initiated logout at /openid/logout', () => {
  let fixture: ProviderWithAccount
  /** openid-client's configuration for `APP_B`. */
  let appB: oidc.Configuration
  /** A real ID token the provider issued to `APP_B` for the account. */
  let hintForB: string

  beforeAll(async () => {
    fixture = await startProviderWithAccount()
    appB = await discoverAsApp(fixture.provider.url, APP_B)
    const { tokens } = await signInWithCodeFlow(appB, new TestBrowser(), fixture.authenticator, {
      redirectUri: `${APP_B}/cb`,
    })
    hintForB = String(tokens.id_token)
  })
  afterAll(() => fixture.close())

  /** `/openid/logout` with `params` in its query. */
  function logoutUrl(params: Record<string, string>): URL {
    const url = new URL(`${fixture.provider.url}/openid/logout`)
    for (const [name, value] of Object.entries(params)) url.searchParams.set(name, value)
    return url
  }

  /** A new browser signed in to the provider through `LOOPBACK_APP`, and what the app got. */
  async function signedIn() {
    const browser = new TestBrowser()
    const { tokens } = await fixture.signIn({ browser })
    return { browser, tokens, hint: String(tokens.id_token) }
  }

  /** The browser is still signed in: a new request from the app comes straight back with a code. */
  async function expectSignedIn(browser: TestBrowser): Promise<void> {
    const request = await buildAuthorizationRequest(fixture.config, {
      redirectUri: LOOPBACK_REDIRECT_URI,
    })
    const end = await browser.follow(request.url, (location) => location.origin === LOOPBACK_APP)
    expect(end.response).toBeUndefined()
    expect(end.url.searchParams.get('code')).toEqual(expect.any(String))
  }

  /**
   * Opens the sign-out URL as a browser does and expects the provider's own 400 page: no redirect
   * anywhere. Returns the page's text.
   */
  async function expectRefusal(
    params: Record<string, string> | URL,
    browser = new TestBrowser(),
  ): Promise<string> {
    const url = params instanceof URL ? params : logoutUrl(params)
    const response = await browser.fetch(url, { headers: PAGE })
    return (await expectRefusalPage(response, 'sign-out')).text
  }

  /** Opens the sign-out URL in a signed-in browser, expects the question, returns the form's secret. */
  async function openConfirmation(browser: TestBrowser, url: URL): Promise<string> {
    const response = await browser.fetch(url, { headers: PAGE })
    expect(response.status).toBe(200)
    const page = await response.text()
    // Whichever button is pressed, an app that proved itself with an ID token is signed out; the
    // question is about passkey-id. A client_id alone names no one (see below).
    const named = url.searchParams.has('id_token_hint')
    expect(visibleText(page)).toContain(
      named
        ? 'signed you out. Do you also want to sign out of passkey-id in this browser?'
        : 'Do you want to sign out of passkey-id in this browser?',
    )
    const xsrf = /name="xsrf" value="([^"]+)"/.exec(page)?.[1]
    expect(xsrf).toEqual(expect.any(String))
    return String(xsrf)
  }

  /** Posts the confirmation form (`logout: 'yes'` is the "Sign out" button). */
  function confirm(
    browser: TestBrowser,
    form: Record<string, string>,
    site?: 'same-origin' | 'cross-site',
  ): Promise<Response> {
    return browser.fetch(`${fixture.provider.url}/openid/logout/confirm`, {
      method: 'POST',
      headers: FORM,
      body: new URLSearchParams(form),
      ...(site === undefined ? {} : { site }),
    })
  }

  /** The provider's current RS256 signing key (what signs ID tokens), read from its database. */
  async function providerSigningKey(): Promise<{ key: CryptoKey | Uint8Array; kid: string }> {
    const db = openDatabase<ProviderDatabase>(fixture.provider.config.databaseUrl)
    try {
      const row = await db
        .selectFrom('signing_keys')
        .select(['kid', 'private_jwk'])
        .where('state', '=', 'current')
        .where('alg', '=', 'RS256')
        .orderBy('created_at')
        .executeTakeFirstOrThrow()
      return { key: await importJWK(JSON.parse(row.private_jwk) as JWK, 'RS256'), kid: row.kid }
    } finally {
      await db.destroy()
    }
  }

  /** An ID token hint signed with `key`: valid claims for `LOOPBACK_APP` unless `claims` change them. */
  function signHint(
    signer: { key: CryptoKey | Uint8Array; kid: string },
    claims: JWTPayload = {},
  ): Promise<string> {
    const now = Math.floor(Date.now() / 1000)
    return new SignJWT({
      iss: fixture.provider.url,
      aud: LOOPBACK_APP,
      sub: fixture.sub,
      iat: now,
      exp: now + 600,
      ...claims,
    })
      .setProtectedHeader({ alg: 'RS256', kid: signer.kid, typ: 'JWT' })
      .sign(signer.key)
  }

  describe('a valid request signs out and goes back to the app', () => {
    it.each([
      ['the app origin', `${LOOPBACK_APP}/`],
      ['another path with its own query', `${LOOPBACK_APP}/signed-out?from=provider`],
      ['the other loopback name, 127.0.0.1', 'http://127.0.0.1:8000/bye'],
      ['the other loopback name, [::1]', 'http://[::1]:8000/bye'],
    ])(
      'sends the browser to %s with state after the confirmation (openid-client URL)',
      async (_case, uri) => {
        const { browser, hint } = await signedIn()
        const url = oidc.buildEndSessionUrl(fixture.config, {
          id_token_hint: hint,
          post_logout_redirect_uri: uri,
          state: 'state-1',
        })
        expect(url.searchParams.get('client_id')).toBe(LOOPBACK_APP)
        const xsrf = await openConfirmation(browser, url)
        const confirmed = await confirm(browser, { xsrf, logout: 'yes' })
        expect(confirmed.status).toBe(303)
        const expected = new URL(uri)
        expected.searchParams.set('state', 'state-1')
        expect(confirmed.headers.get('location')).toBe(expected.href)
      },
    )

    it('takes the client from the id_token_hint when the request has no client_id', async () => {
      const { browser, hint } = await signedIn()
      const end = await signOutOfProvider(browser, fixture.provider.url, {
        id_token_hint: hint,
        post_logout_redirect_uri: 'http://127.0.0.1:8000/signed-out',
        state: 'from-hint',
      })
      expect(end.href).toBe('http://127.0.0.1:8000/signed-out?state=from-hint')
    })

    it('ends on its own "Signed out" page, without state, when no post_logout_redirect_uri is given', async () => {
      const { browser, hint } = await signedIn()
      const end = await signOutOfProvider(browser, fixture.provider.url, {
        id_token_hint: hint,
        state: 'unused',
      })
      expect(end.href).toBe(`${fixture.provider.url}/openid/logout/success`)
      const page = await browser.fetch(end, { headers: PAGE })
      expect(page.status).toBe(200)
      expect(visibleText(await page.text())).toContain(
        'You are signed out of passkey-id in this browser.',
      )
    })

    it('sends a browser that is already signed out back to the app without asking', async () => {
      // oidc-provider answers with a form that posts itself (the confirmation has nothing to ask):
      // submit it as the browser's script would.
      const { hint } = await signedIn()
      const browser = new TestBrowser()
      const response = await browser.fetch(
        logoutUrl({
          id_token_hint: hint,
          post_logout_redirect_uri: `${LOOPBACK_APP}/bye`,
          state: 'state-2',
        }),
        { headers: PAGE },
      )
      expect(response.status).toBe(200)
      const page = await response.text()
      expect(page).toContain(`action="${fixture.provider.url}/openid/logout/confirm"`)
      const inputs = Object.fromEntries(
        [...page.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)"\/>/g)].map(
          ([, name, value]) => [String(name), String(value)],
        ),
      )
      expect(inputs).toEqual({ xsrf: expect.any(String), logout: 'yes' })
      const confirmed = await confirm(browser, inputs)
      expect(confirmed.status).toBe(303)
      expect(confirmed.headers.get('location')).toBe(`${LOOPBACK_APP}/bye?state=state-2`)
    })
  })

  describe('with a client_id and no id_token_hint, which any site can send', () => {
    it('does not say the app signed the person out, and "Stay signed in" ends no grant', async () => {
      const { browser, tokens } = await signedIn()
      const url = logoutUrl({
        client_id: LOOPBACK_APP,
        post_logout_redirect_uri: `${LOOPBACK_APP}/bye`,
        state: 'unproven',
      })
      const response = await browser.fetch(url, { headers: PAGE })
      const page = await response.text()
      expect(visibleText(page)).toContain('Do you want to sign out of passkey-id in this browser?')
      expect(visibleText(page)).not.toContain('signed you out')
      const xsrf = String(/name="xsrf" value="([^"]+)"/.exec(page)?.[1])
      const confirmed = await confirm(browser, { xsrf })
      expect(confirmed.status).toBe(303)
      // The redirect back to the app (checked to be on its origin) is kept.
      expect(confirmed.headers.get('location')).toBe(`${LOOPBACK_APP}/bye?state=unproven`)
      expect(await oidc.tokenIntrospection(fixture.config, tokens.access_token)).toMatchObject({
        active: true,
      })
      await expectSignedIn(browser)
    })

    it('ends the grants only when the person chooses to sign out of passkey-id', async () => {
      const { browser, tokens } = await signedIn()
      const xsrf = await openConfirmation(browser, logoutUrl({ client_id: LOOPBACK_APP }))
      const confirmed = await confirm(browser, { xsrf, logout: 'yes' })
      expect(confirmed.status).toBe(303)
      expect(await oidc.tokenIntrospection(fixture.config, tokens.access_token)).toEqual({
        active: false,
      })
    })
  })

  describe('after signing out', () => {
    it('asks for the passkey again, but not for consent, and the tokens issued before are revoked', async () => {
      const { browser, tokens, hint } = await signedIn()
      // The same browser signs in to a second app too: one provider session, two grants.
      const other = await signInWithCodeFlow(appB, browser, fixture.authenticator, {
        redirectUri: `${APP_B}/cb`,
      })
      expect(other.outcome.sawConsent).toBe(false)
      await expect(
        oidc.fetchUserInfo(fixture.config, tokens.access_token, fixture.sub),
      ).resolves.toMatchObject({ sub: fixture.sub })
      await expectSignedIn(browser)

      const end = await signOutOfProvider(browser, fixture.provider.url, {
        id_token_hint: hint,
        post_logout_redirect_uri: `${LOOPBACK_APP}/bye`,
      })
      expect(end.href).toBe(`${LOOPBACK_APP}/bye`)

      // oidc-provider's "Sign out" (logout=yes) revokes every grant of the session, the tokens issued
      // under it included, unless the session's authorization for that app "persists logout", which
      // happens only for codes and tokens that do not expire with the session: by default those of a
      // request with the offline_access scope, which this provider does not offer. So the access
      // tokens of both apps signed in in this browser stop working (they are also bound to the
      // session, which is gone). ID tokens cannot be revoked; the remembered consent is kept.
      expect(await oidc.tokenIntrospection(fixture.config, tokens.access_token)).toEqual({
        active: false,
      })
      await expect(
        oidc.fetchUserInfo(fixture.config, tokens.access_token, fixture.sub),
      ).rejects.toMatchObject({ code: 'OAUTH_WWW_AUTHENTICATE_CHALLENGE' })
      expect(await oidc.tokenIntrospection(appB, other.tokens.access_token)).toEqual({
        active: false,
      })

      // The session is gone: the app's next request shows the sign-in page again.
      const { interaction, request } = await fixture.openSignInPage({ browser })
      const outcome = await signInThroughProvider(
        browser,
        fixture.authenticator,
        new URL(interaction.base),
      )
      // Consent is remembered: the passkey is enough.
      expect(outcome.sawConsent).toBe(false)
      const again = await oidc.authorizationCodeGrant(fixture.config, outcome.callback, {
        pkceCodeVerifier: request.verifier,
        expectedState: request.state,
        expectedNonce: request.nonce,
      })
      expect(again.claims()?.sub).toBe(fixture.sub)
      await expect(
        oidc.fetchUserInfo(fixture.config, again.access_token, fixture.sub),
      ).resolves.toMatchObject({ sub: fixture.sub })
    })

    it('"Stay signed in" keeps the provider session but still signs the app out', async () => {
      const { browser, tokens, hint } = await signedIn()
      const xsrf = await openConfirmation(
        browser,
        logoutUrl({
          id_token_hint: hint,
          post_logout_redirect_uri: `${LOOPBACK_APP}/bye`,
          state: 'stay',
        }),
      )
      // The "Stay signed in" button submits the form without `logout`.
      const confirmed = await confirm(browser, { xsrf })
      expect(confirmed.status).toBe(303)
      expect(confirmed.headers.get('location')).toBe(`${LOOPBACK_APP}/bye?state=stay`)
      // oidc-provider then ends only the app's part of the session: it revokes that app's grant (its
      // tokens stop working) and keeps the person signed in to the provider.
      expect(await oidc.tokenIntrospection(fixture.config, tokens.access_token)).toEqual({
        active: false,
      })
      await expectSignedIn(browser)
    })
  })

  describe('a tampered id_token_hint gets a 400 page, and the browser stays signed in', () => {
    let browser: TestBrowser
    let hint: string

    beforeAll(async () => {
      ;({ browser, hint } = await signedIn())
    })

    /** The hint with one character in the middle of its signature changed. */
    function changeSignature(token: string): string {
      const [header, payload, signature = ''] = token.split('.')
      const at = Math.floor(signature.length / 2)
      const changed = `${signature.slice(0, at)}${signature[at] === 'A' ? 'B' : 'A'}${signature.slice(at + 1)}`
      return `${header}.${payload}.${changed}`
    }

    /** The hint with its payload replaced by `claims` (re-encoded), header and signature kept. */
    function withClaims(token: string, claims: JWTPayload): string {
      const [header, payload, signature] = token.split('.')
      const changed = {
        ...JSON.parse(Buffer.from(String(payload), 'base64url').toString()),
        ...claims,
      }
      return `${header}.${Buffer.from(JSON.stringify(changed)).toString('base64url')}.${signature}`
    }

    /** The hint with a payload that is not JSON. */
    function notJson(token: string): string {
      const [header, , signature] = token.split('.')
      return `${header}.${Buffer.from('{"sub": ').toString('base64url')}.${signature}`
    }

    it.each([
      ['one character of the signature changed', changeSignature],
      ['another sub in the payload', (token: string) => withClaims(token, { sub: 'someone-else' })],
      ['a later exp in the payload', (token: string) => withClaims(token, { exp: 4102444800 })],
      ['the audience changed to another app', (token: string) => withClaims(token, { aud: APP_B })],
    ])('%s: says the hint could not be validated', async (_case, tamper) => {
      const text = await expectRefusal(
        {
          id_token_hint: tamper(hint),
          post_logout_redirect_uri: `${LOOPBACK_APP}/bye`,
          state: 'tampered',
        },
        browser,
      )
      expect(text).toContain(HINT_REFUSED)
      expect(text).toContain('description could not validate id_token_hint')
    })

    it('a payload that is no longer JSON: says the hint could not be decoded', async () => {
      const text = await expectRefusal(
        { id_token_hint: notJson(hint), post_logout_redirect_uri: `${LOOPBACK_APP}/` },
        browser,
      )
      expect(text).toContain(HINT_REFUSED)
      expect(text).toContain('description could not decode id_token_hint')
    })

    it('an audience that is not an app: says the audience is not recognised', async () => {
      const text = await expectRefusal(
        { id_token_hint: withClaims(hint, { aud: 'not an origin' }) },
        browser,
      )
      expect(text).toContain(HINT_REFUSED)
      expect(text).toContain('description unrecognized id_token_hint audience')
    })

    it('leaves the browser signed in', async () => {
      await expectSignedIn(browser)
    })
  })

  describe('an expired id_token_hint signed by the provider', () => {
    let expired: string

    beforeAll(async () => {
      const now = Math.floor(Date.now() / 1000)
      expired = await signHint(await providerSigningKey(), { iat: now - 7200, exp: now - 3600 })
      // It is otherwise valid: it verifies against the provider's published keys but for `exp`.
      const jwks = (await (
        await fetch(`${fixture.provider.url}/openid/jwks`)
      ).json()) as JSONWebKeySet
      await expect(
        jwtVerify(expired, createLocalJWKSet(jwks), {
          issuer: fixture.provider.url,
          audience: LOOPBACK_APP,
        }),
      ).rejects.toBeInstanceOf(errors.JWTExpired)
    })

    // oidc-provider accepts expired hints it issued (IdToken.validate verifies with
    // ignoreExpiration: true), as OpenID Connect RP-Initiated Logout allows: an app often signs out
    // long after its ID token expired. The hint still names the app, so a redirect is only allowed on
    // that app's origin.
    it('is accepted: the browser signs out and goes to the app with state', async () => {
      const { browser } = await signedIn()
      const end = await signOutOfProvider(browser, fixture.provider.url, {
        id_token_hint: expired,
        post_logout_redirect_uri: 'http://127.0.0.1:8000/bye',
        state: 'late',
      })
      expect(end.href).toBe('http://127.0.0.1:8000/bye?state=late')
      await fixture.openSignInPage({ browser })
    })

    it.each([
      ['another app', `${APP_B}/bye`],
      ['another port', 'http://localhost:8001/bye'],
      ['another host', 'https://evil.example/'],
    ])('still allows no post_logout_redirect_uri on %s', async (_case, uri) => {
      const { browser } = await signedIn()
      const text = await expectRefusal(
        { id_token_hint: expired, post_logout_redirect_uri: uri, state: 'late' },
        browser,
      )
      expect(text).toContain('post_logout_redirect_uri')
      await expectSignedIn(browser)
    })

    it('is refused with the client_id of another app', async () => {
      const text = await expectRefusal({
        id_token_hint: expired,
        client_id: APP_B,
        post_logout_redirect_uri: `${APP_B}/bye`,
      })
      expect(text).toContain(HINT_REFUSED)
      expect(text).toContain('description client_id does not match the provided id_token_hint')
    })
  })

  describe('a hint the provider did not sign, or signed for something else, gets a 400 page', () => {
    it.each([
      [
        'a foreign key with its own kid',
        async () => {
          const { privateKey, publicKey } = await generateKeyPair('RS256')
          const kid = await calculateJwkThumbprint(await exportJWK(publicKey))
          return signHint({ key: privateKey, kid })
        },
      ],
      [
        "a foreign key that claims the provider's kid",
        async () => {
          const { privateKey } = await generateKeyPair('RS256')
          return signHint({ key: privateKey, kid: (await providerSigningKey()).kid })
        },
      ],
      [
        'no signature at all (alg none)',
        async () => {
          const valid = await signHint(await providerSigningKey())
          const header = Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString(
            'base64url',
          )
          return `${header}.${valid.split('.')[1]}.`
        },
      ],
      [
        "the provider's key, but another issuer",
        async () => signHint(await providerSigningKey(), { iss: 'https://evil.example' }),
      ],
      [
        "the provider's key, but no sub",
        async () => signHint(await providerSigningKey(), { sub: undefined }),
      ],
    ])('%s', async (_case, makeHint) => {
      const { browser } = await signedIn()
      const hint = await makeHint()
      expect(decodeJwt(hint).aud).toBe(LOOPBACK_APP)
      const text = await expectRefusal(
        { id_token_hint: hint, post_logout_redirect_uri: `${LOOPBACK_APP}/bye`, state: 'forged' },
        browser,
      )
      expect(text).toContain(HINT_REFUSED)
      expect(text).toContain('description could not validate id_token_hint')
      await expectSignedIn(browser)
    })
  })

  describe("a hint issued to one app does not sign out through another app's origin", () => {
    it("refuses a hint for app A with app B's client_id", async () => {
      const { browser, hint } = await signedIn()
      const extras: Record<string, string>[] = [
        {},
        { post_logout_redirect_uri: `${APP_B}/bye`, state: 'b' },
      ]
      for (const extra of extras) {
        const text = await expectRefusal(
          { id_token_hint: hint, client_id: APP_B, ...extra },
          browser,
        )
        expect(text).toContain(HINT_REFUSED)
        expect(text).toContain('description client_id does not match the provided id_token_hint')
      }
      await expectSignedIn(browser)
    })

    it("refuses a hint for app A with a post_logout_redirect_uri on app B's origin", async () => {
      const { browser, hint } = await signedIn()
      const text = await expectRefusal(
        { id_token_hint: hint, post_logout_redirect_uri: `${APP_B}/bye`, state: 'b' },
        browser,
      )
      expect(text).toContain('post_logout_redirect_uri')
      await expectSignedIn(browser)
    })

    it("refuses a real hint for app B with a post_logout_redirect_uri on app A's origin", async () => {
      const { browser } = await signedIn()
      const text = await expectRefusal(
        { id_token_hint: hintForB, post_logout_redirect_uri: `${LOOPBACK_APP}/bye`, state: 'a' },
        browser,
      )
      expect(text).toContain('post_logout_redirect_uri')
      await expectSignedIn(browser)
    })

    it("lets app B's own hint send the browser to app B", async () => {
      const { browser } = await signedIn()
      const end = await signOutOfProvider(browser, fixture.provider.url, {
        id_token_hint: hintForB,
        post_logout_redirect_uri: `${APP_B}/signed-out`,
        state: 'b',
      })
      expect(end.href).toBe(`${APP_B}/signed-out?state=b`)
    })
  })

  describe('a post_logout_redirect_uri off the app origin is never followed', () => {
    const OFF_ORIGIN = [
      ['another host', 'https://evil.example/'],
      ['another port', 'http://localhost:8001/bye'],
      ['another scheme', 'https://localhost:8000/bye'],
      ['a host that only starts like the app', 'http://localhost:8000.evil.example/'],
      ['the userinfo trick', 'http://localhost:8000@evil.example/'],
      ['credentials on the app host', 'http://user:pass@localhost:8000/bye'],
      ['a scheme-relative URL', '//evil.example/'],
      ['a javascript: URL', 'javascript:alert(document.domain)'],
      ['a data: URL', 'data:text/html,<script>alert(1)</script>'],
    ] as const

    it.each(OFF_ORIGIN)(
      'with the app client_id (no hint): %s gets a 400 page that names the app origin',
      async (_case, uri) => {
        const text = await expectRefusal({
          client_id: LOOPBACK_APP,
          post_logout_redirect_uri: uri,
          state: 'x',
        })
        expect(text).toContain(
          `The post_logout_redirect_uri "${uri}" is not on the app's origin (${LOOPBACK_APP}), so the browser is not sent there after signing out. Use a post_logout_redirect_uri on ${LOOPBACK_APP}.`,
        )
      },
    )

    // Without a client_id, the app is the one the hint names.
    it.each(OFF_ORIGIN)(
      'with a valid id_token_hint (with and without client_id): %s gets a 400 page',
      async (_case, uri) => {
        const { browser, hint } = await signedIn()
        const hintOnly = await expectRefusal(
          { id_token_hint: hint, post_logout_redirect_uri: uri },
          browser,
        )
        expect(hintOnly).toContain(
          `The post_logout_redirect_uri "${uri}" is not on the app's origin (${LOOPBACK_APP}), so the browser is not sent there after signing out. Use a post_logout_redirect_uri on ${LOOPBACK_APP}.`,
        )
        const text = await expectRefusal(
          oidc.buildEndSessionUrl(fixture.config, {
            id_token_hint: hint,
            post_logout_redirect_uri: uri,
            state: 'x',
          }),
          browser,
        )
        expect(text).toContain(`The post_logout_redirect_uri "${uri}" is not on the app's origin`)
        await expectSignedIn(browser)
      },
    )

    // With neither client_id nor hint there is no app to check the URI against: oidc-provider drops
    // it (the spec makes it an error only to use it), so the sign-out ends on the provider.
    it.each(OFF_ORIGIN)(
      'with neither client_id nor hint: %s is dropped and the sign-out ends on the provider',
      async (_case, uri) => {
        const { browser } = await signedIn()
        const end = await signOutOfProvider(browser, fixture.provider.url, {
          post_logout_redirect_uri: uri,
          state: 'x',
        })
        expect(end.href).toBe(`${fixture.provider.url}/openid/logout/success`)
      },
    )
  })

  describe('oversized parameters get a 4xx, never a 5xx', () => {
    it.each([
      ['id_token_hint', 100 * KiB],
      ['state', 100 * KiB],
      ['post_logout_redirect_uri', 100 * KiB],
    ])('refuses a request with a %s of %i characters, with no redirect', async (param, length) => {
      const { browser, hint } = await signedIn()
      const value =
        param === 'post_logout_redirect_uri'
          ? `${LOOPBACK_APP}/${'x'.repeat(length)}`
          : 'x'.repeat(length)
      const response = await browser.fetch(
        logoutUrl({
          client_id: LOOPBACK_APP,
          ...(param === 'id_token_hint' ? {} : { id_token_hint: hint }),
          [param]: value,
        }),
        { headers: PAGE },
      )
      await response.body?.cancel()
      // Node refuses it before the provider sees it (431: the request line is over its header limit).
      expect([400, 414, 431]).toContain(response.status)
      expect(response.headers.get('location')).toBeNull()
      await expectSignedIn(browser)
    })

    it('refuses an id_token_hint of 12 KiB that fits in the request line with a page', async () => {
      const text = await expectRefusal({ id_token_hint: 'x'.repeat(12 * KiB) })
      expect(text).toContain(HINT_REFUSED)
      expect(text).toContain('description could not decode id_token_hint')
    })

    it('refuses an oversized confirmation form with a page, and the browser stays signed in', async () => {
      const { browser, hint } = await signedIn()
      const xsrf = await openConfirmation(browser, logoutUrl({ id_token_hint: hint }))
      const response = await confirm(browser, { xsrf, logout: 'yes', pad: 'x'.repeat(100 * KiB) })
      expect(response.status).toBe(400)
      expect(response.headers.get('location')).toBeNull()
      expect(visibleText(await response.text())).toContain(REFUSED)
      await expectSignedIn(browser)
    })
  })

  describe('the confirmation form is protected against forgery', () => {
    it('refuses a confirmation without the form secret, with a wrong one, or cross-site', async () => {
      const { browser, hint } = await signedIn()
      const response = await browser.fetch(
        logoutUrl({ id_token_hint: hint, post_logout_redirect_uri: `${LOOPBACK_APP}/bye` }),
        { headers: PAGE },
      )
      // The session cookie is SameSite=Lax: a browser leaves it out of a cross-site POST.
      const sessionCookie = response.headers
        .getSetCookie()
        .find((cookie) => cookie.startsWith('_session='))
      expect(sessionCookie).toMatch(/; samesite=lax/i)
      expect(sessionCookie).toMatch(/; httponly/i)
      const xsrf = /name="xsrf" value="([^"]+)"/.exec(await response.text())?.[1]
      expect(xsrf).toEqual(expect.any(String))

      const refusals: [string, Promise<Response>][] = [
        ['no secret', confirm(browser, { logout: 'yes' })],
        ['a wrong secret', confirm(browser, { xsrf: 'forged', logout: 'yes' })],
        [
          'cross-site, a wrong secret',
          confirm(browser, { xsrf: 'forged', logout: 'yes' }, 'cross-site'),
        ],
        [
          'cross-site as a browser sends it (no Lax cookie), even with the real secret',
          fetch(`${fixture.provider.url}/openid/logout/confirm`, {
            method: 'POST',
            headers: { ...FORM, 'sec-fetch-site': 'cross-site', origin: 'https://evil.example' },
            body: new URLSearchParams({ xsrf: String(xsrf), logout: 'yes' }),
          }),
        ],
      ]
      for (const [name, pending] of refusals) {
        const refused = await pending
        expect({ name, status: refused.status }).toEqual({ name, status: 400 })
        expect(refused.headers.get('location')).toBeNull()
        expect(refused.headers.get('content-type')).toMatch(/^text\/html/)
        const text = visibleText(await refused.text())
        expect(text).toContain(REFUSED)
        expect(text).toContain('This sign-out form is out of date')
      }
      await expectSignedIn(browser)

      // The person's own confirmation still goes through.
      const confirmed = await confirm(browser, { xsrf: String(xsrf), logout: 'yes' })
      expect(confirmed.status).toBe(303)
      expect(confirmed.headers.get('location')).toBe(`${LOOPBACK_APP}/bye`)
      await fixture.openSignInPage({ browser })
    })

    it('refuses a confirmation when no sign-out was asked for in this browser', async () => {
      const { browser } = await signedIn()
      const refused = await confirm(browser, { xsrf: 'guess', logout: 'yes' })
      expect(refused.status).toBe(400)
      expect(refused.headers.get('location')).toBeNull()
      expect(refused.headers.get('content-type')).toMatch(/^text\/html/)
      expect(visibleText(await refused.text())).toContain(REFUSED)
      await expectSignedIn(browser)
    })
  })

  it('answers a POST to /openid/logout (it takes GET) with a 404 that says where the methods are', async () => {
    const { browser, hint } = await signedIn()
    const response = await browser.fetch(`${fixture.provider.url}/openid/logout`, {
      method: 'POST',
      headers: FORM,
      body: new URLSearchParams({ id_token_hint: hint }),
    })
    expect(response.status).toBe(404)
    expect(visibleText(await response.text())).toContain(
      "There is no POST /openid/logout here. The provider's endpoints and their methods are listed at /.well-known/openid-configuration.",
    )
    await expectSignedIn(browser)
  })

  describe('a client_id that is not an origin gets a 400 page', () => {
    it.each([
      ['not an origin', 'is not an app origin'],
      ['localhost:8000', 'is not an app origin'],
      ['http://app.example.com', 'is not an app origin'],
      ['https://app.example.com/signed-out', 'is not an app origin'],
      [
        `${LOOPBACK_APP}/`,
        `is not written as an origin. Apps are not registered here: the client_id is the app's origin, exactly as browsers write it. Use "${LOOPBACK_APP}".`,
      ],
    ])('%s', async (clientId, advice) => {
      const text = await expectRefusal({
        client_id: clientId,
        post_logout_redirect_uri: `${clientId}/bye`,
        state: 'x',
      })
      expect(text).toContain(`The client_id "${clientId}"`)
      expect(text).toContain(advice)
    })

    it('on the "Signed out" page too', async () => {
      const response = await new TestBrowser().fetch(
        `${fixture.provider.url}/openid/logout/success?client_id=not%20an%20origin`,
        { headers: PAGE },
      )
      expect(response.status).toBe(400)
      expect(visibleText(await response.text())).toContain('is not an app origin')
    })
  })

  it('still signs the existing account in afterwards, with the same subject', async () => {
    await fixture.expectAccountStillSignsIn()
  })
})
