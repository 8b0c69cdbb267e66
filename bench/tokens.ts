// The helpers' own files rather than `@passkey-id/testing`: its index also loads vitest and the
// provider, which the benchmark's parent process does not need (the provider runs in its own process).
import { discoverAsApp, signInWithCodeFlow } from '../packages/testing/src/relyingParty.ts'
import { createSoftwareAuthenticator } from '../packages/testing/src/softwareAuthenticator.ts'
import { TestBrowser } from '../packages/testing/src/TestBrowser.ts'

/**
 * The app the tokens are issued to, so the bench app must use it as its appUrl (= client_id): a
 * loopback app, which the provider lets use plain http (the tests' `LOOPBACK_APP`).
 */
export const BENCH_APP = 'http://localhost:8000'
const REDIRECT_URI = `${BENCH_APP}/cb`

/** An account signed up at the provider, and a way to get more access tokens for it cheaply. */
export interface TokenSource {
  /** The account's subject for `BENCH_APP`. */
  sub: string
  /** A valid access token from the sign-up. */
  firstToken: string
  /** Mints `count` new access tokens, `concurrency` code flows at a time. */
  mint(count: number, concurrency?: number): Promise<string[]>
}

/**
 * Signs an account up with a software passkey through the provider (consenting), then keeps that
 * browser: its provider session and the remembered consent make every further authorization request
 * redirect straight back with a code, so a token costs one redirect chain and one code exchange,
 * with no passkey ceremony.
 */
export async function signUpForTokens(issuer: string): Promise<TokenSource> {
  const config = await discoverAsApp(issuer, BENCH_APP)
  const authenticator = createSoftwareAuthenticator()
  const browser = new TestBrowser()
  const { tokens } = await signInWithCodeFlow(config, browser, authenticator, {
    redirectUri: REDIRECT_URI,
    script: { signUp: { username: 'bench' } },
  })
  const sub = tokens.claims()?.sub
  if (sub === undefined) throw new Error('the sign-up gave no ID token with a sub')

  const mintOne = async (): Promise<string> => {
    const minted = await signInWithCodeFlow(config, browser, authenticator, {
      redirectUri: REDIRECT_URI,
    })
    if (minted.outcome.sawConsent)
      throw new Error('consent was asked again: it should be remembered')
    return minted.tokens.access_token
  }

  return {
    sub,
    firstToken: tokens.access_token,
    async mint(count, concurrency = 8) {
      const minted: string[] = []
      let started = 0
      const worker = async () => {
        while (started < count) {
          started += 1
          minted.push(await mintOne())
        }
      }
      await Promise.all(Array.from({ length: concurrency }, worker))
      return minted
    },
  }
}
