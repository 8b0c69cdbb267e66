import { createSoftwareAuthenticator, type SoftwareAuthenticator } from '@passkey-id/authenticator'
import type { FastifyServerOptions } from 'fastify'
import type * as oidc from 'openid-client'
import { expect } from 'vitest'
import { TestBrowser } from '../http/TestBrowser.ts'
import { openInteraction } from '../sign-in/openInteraction.ts'
import type { OpenInteraction } from '../sign-in/readInteractionPage.ts'
import {
  type AuthorizationRequest,
  buildAuthorizationRequest,
  discoverAsApp,
  signInWithCodeFlow,
} from '../sign-in/relyingParty.ts'
import { signInThroughProvider } from '../sign-in/signInThroughProvider.ts'
import { startTestProvider, type TestProvider } from './startTestProvider.ts'

/**
 * The app a `ProviderWithAccount` acts as: a loopback app, which the provider lets use plain http and
 * (unless PKCE_FOR_LOOPBACK=required) skip PKCE.
 */
export const LOOPBACK_APP = 'http://localhost:8000'

/** The redirect URI on `LOOPBACK_APP` that a `ProviderWithAccount` signs in to. */
export const LOOPBACK_REDIRECT_URI = `${LOOPBACK_APP}/cb`

/** How `startProviderWithAccount` sets up the provider and the account. */
export interface ProviderWithAccountOptions {
  /** The provider's environment, as for `startTestProvider` (PKCE_FOR_LOOPBACK, ...). */
  env?: Record<string, string>
  /** The username the account signs up with (default `alice`). */
  username?: string
  /** An email address given at sign-up (default none). */
  email?: string
  /** The scope of every authorization request the fixture builds, the sign-up's too (default `openid`). */
  scope?: string
  /** The provider's logger, for a test that reads its log (default silent). */
  logger?: FastifyServerOptions['logger']
  /** The clock of email verification codes (default the real one), for a test that moves time. */
  now?: () => number
}

/** A browser at the provider's sign-in page, opened by a new authorization request from the app. */
export interface SignInPage {
  browser: TestBrowser
  interaction: OpenInteraction
  request: AuthorizationRequest
}

/** An authorization code the app received for the account and has not redeemed yet. */
export interface IssuedCode {
  code: string
  /** The app's redirect URI with the code, state and iss, as openid-client takes it. */
  callback: URL
  request: AuthorizationRequest
  /** The request's PKCE code verifier, or `undefined` when it was built without PKCE. */
  verifier: string | undefined
}

/** What the token endpoint answered: status, headers and the JSON body. */
export interface TokenEndpointAnswer {
  status: number
  headers: Headers
  body: Record<string, unknown>
}

/**
 * A running provider with one account that has signed up to `LOOPBACK_APP` with a passkey and
 * consented: the starting point of tests that attack the provider and then check that the account
 * was left alone (`expectAccountStillSignsIn`).
 */
export interface ProviderWithAccount {
  provider: TestProvider
  /** openid-client's configuration for `LOOPBACK_APP` at the provider. */
  config: oidc.Configuration
  /** The account's passkey. */
  authenticator: SoftwareAuthenticator
  /** The account's subject for `LOOPBACK_APP`, from the ID token of its sign-up. */
  sub: string
  /**
   * Signs the account in to the app through the provider's pages in `browser` (default a new one)
   * and redeems the code with openid-client. The other options change the request: another loopback
   * redirect URI, another scope, `pkce: false`.
   */
  signIn(options?: {
    browser?: TestBrowser
    redirectUri?: string
    scope?: string
    pkce?: boolean
  }): ReturnType<typeof signInWithCodeFlow>
  /**
   * Builds a new authorization request from the app (with `scope`, if given) and follows it in
   * `browser` (default a new one) to the provider's sign-in page; expects that page (the sign-up form
   * is on it).
   */
  openSignInPage(options?: { browser?: TestBrowser; scope?: string }): Promise<SignInPage>
  /** Signs the account in in a new browser and returns the code the app gets, unredeemed. */
  issueCode(options?: { pkce?: boolean }): Promise<IssuedCode>
  /**
   * Redeems `issued` at the token endpoint as the app does (grant_type, client_id, redirect_uri, code
   * and code_verifier), with `changes` to that form: a value replaces a parameter, `undefined` leaves
   * it out. `headers` are added to the request (an Origin, say).
   */
  redeemCode(
    issued: { code: string; verifier: string | undefined },
    changes?: Record<string, string | undefined>,
    headers?: Record<string, string>,
  ): Promise<TokenEndpointAnswer>
  /** Posts `form` to the token endpoint as a public client does (no client authentication). */
  postToken(
    form: Record<string, string>,
    headers?: Record<string, string>,
  ): Promise<TokenEndpointAnswer>
  /**
   * Signs the account in again in a new browser and expects what a returning person gets: no
   * consent page, and the same subject as at sign-up. Returns the tokens.
   */
  expectAccountStillSignsIn(): Promise<Awaited<ReturnType<typeof signInWithCodeFlow>>['tokens']>
  /** Stops the provider and deletes its database. */
  close(): Promise<void>
}

/**
 * Starts a provider (`startTestProvider`), discovers it as `LOOPBACK_APP` and signs an account up
 * with a new software passkey through the code flow, consenting. Close it with `close()`.
 */
export async function startProviderWithAccount(
  options: ProviderWithAccountOptions = {},
): Promise<ProviderWithAccount> {
  const { env = {}, username = 'alice', email, scope, logger, now } = options
  const provider = await startTestProvider(env, undefined, { logger, now })
  const config = await discoverAsApp(provider.url, LOOPBACK_APP)
  const authenticator = createSoftwareAuthenticator()

  const signIn: ProviderWithAccount['signIn'] = ({
    browser = new TestBrowser(),
    ...request
  } = {}) =>
    signInWithCodeFlow(config, browser, authenticator, {
      redirectUri: LOOPBACK_REDIRECT_URI,
      scope,
      ...request,
    })

  const postToken: ProviderWithAccount['postToken'] = async (form, headers = {}) => {
    const response = await fetch(`${provider.url}/openid/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
      body: new URLSearchParams(form),
    })
    const body = (await response.json()) as Record<string, unknown>
    return { status: response.status, headers: response.headers, body }
  }

  const { tokens } = await signInWithCodeFlow(config, new TestBrowser(), authenticator, {
    redirectUri: LOOPBACK_REDIRECT_URI,
    scope,
    script: { signUp: email === undefined ? { username } : { username, email } },
  })
  const sub = tokens.claims()?.sub
  if (sub === undefined) throw new Error('the ID token of the sign-up has no sub')

  return {
    provider,
    config,
    authenticator,
    sub,
    signIn,
    postToken,
    async openSignInPage({ browser = new TestBrowser(), ...request } = {}) {
      const built = await buildAuthorizationRequest(config, {
        redirectUri: LOOPBACK_REDIRECT_URI,
        scope: request.scope ?? scope,
      })
      const interaction = await openInteraction(browser, built.url)
      expect(interaction.page).toContain('id="sign-up"')
      return { browser, interaction, request: built }
    },
    async issueCode({ pkce } = {}) {
      const request = await buildAuthorizationRequest(config, {
        redirectUri: LOOPBACK_REDIRECT_URI,
        scope,
        pkce,
      })
      const { callback } = await signInThroughProvider(
        new TestBrowser(),
        authenticator,
        request.url,
      )
      const code = callback.searchParams.get('code')
      expect(code).toEqual(expect.any(String))
      return { code: String(code), callback, request, verifier: request.verifier }
    },
    redeemCode(issued, changes = {}, headers = {}) {
      const form: Record<string, string | undefined> = {
        grant_type: 'authorization_code',
        client_id: LOOPBACK_APP,
        redirect_uri: LOOPBACK_REDIRECT_URI,
        code: issued.code,
        code_verifier: issued.verifier,
        ...changes,
      }
      const given = Object.entries(form).filter(
        (entry): entry is [string, string] => entry[1] !== undefined,
      )
      return postToken(Object.fromEntries(given), headers)
    },
    async expectAccountStillSignsIn() {
      const { tokens, outcome } = await signIn()
      expect(outcome.sawConsent).toBe(false)
      expect(tokens.claims()?.sub).toBe(sub)
      return tokens
    },
    close: () => provider.close(),
  }
}
