import type { SoftwareAuthenticator } from '@passkey-id/authenticator'
import type { TestBrowser } from '../http/TestBrowser.ts'
import { type OpenInteraction, readInteractionPage } from './readInteractionPage.ts'

/** How the person answers the provider's pages. */
export interface SignInScript {
  /** Create an account with this username (and email) instead of signing in with a passkey. */
  signUp?: { username: string; email?: string }
  /**
   * Runs after the passkey step (a sign-up or a sign-in) answered, before the browser resumes at its
   * `redirectTo`: for the steps a page offers in between (verifying a new account's address).
   */
  beforeResume?: (step: { base: string; answer: PasskeyStepAnswer }) => Promise<void>
  /** The answer on the consent page, if it is shown (default allow). */
  consent?: 'allow' | 'deny'
  /** Where the walk ends (default: the first address off the provider, the app's redirect URI). */
  stopAt?: (location: URL) => boolean
}

/** What the sign-up or sign-in step answered: where to resume, and the address to offer to verify. */
export interface PasskeyStepAnswer {
  redirectTo: string
  emailToVerify?: string
}

/** Where a sign-in ended, and what the person saw on the way. */
export interface SignInOutcome {
  /** The app's redirect URI with the authorization response (code, state, iss, or error). */
  callback: URL
  /** Whether the consent page was shown. */
  sawConsent: boolean
}

/**
 * Walks through the provider's pages from an authorization URL to the app's redirect URI, as a
 * person in a browser would: sign up or sign in with the passkey authenticator, then the consent page.
 */
export async function signInThroughProvider(
  browser: TestBrowser,
  authenticator: SoftwareAuthenticator,
  authorizationUrl: URL,
  script: SignInScript = {},
): Promise<SignInOutcome> {
  const providerOrigin = authorizationUrl.origin
  const leavesProvider = script.stopAt ?? ((location: URL) => location.origin !== providerOrigin)
  let sawConsent = false
  let step = await browser.follow(authorizationUrl, leavesProvider)
  for (let pages = 0; pages < 4; pages += 1) {
    if (step.response === undefined) return { callback: step.url, sawConsent }
    const interaction = await readInteractionPage(step.url, step.response)
    const { page, base } = interaction
    let next: URL
    // The sign-in page: its button, and the sign-up form unless SIGNUPS=closed.
    if (page.includes('id="sign-in"')) {
      const answer = await passkeyStep(browser, authenticator, interaction, script.signUp)
      await script.beforeResume?.({ base, answer })
      next = new URL(answer.redirectTo, providerOrigin)
    } else if (page.includes('name="decision"')) {
      sawConsent = true
      const response = await browser.fetch(`${base}/consent`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ decision: script.consent ?? 'allow' }),
      })
      if (response.status !== 303)
        throw new Error(`consent answered ${response.status}: ${await response.text()}`)
      next = new URL(response.headers.get('location') ?? '', providerOrigin)
    } else {
      throw new Error(`unexpected interaction page: ${page.slice(0, 500)}`)
    }
    step = await browser.follow(next, leavesProvider)
  }
  throw new Error('the sign-in did not reach the app after four pages')
}

/**
 * The passkey step of the sign-in page: a sign-up, or a sign-in with the options the page carries,
 * as its script does.
 */
async function passkeyStep(
  browser: TestBrowser,
  authenticator: SoftwareAuthenticator,
  { base, signInOptions }: OpenInteraction,
  signUp: SignInScript['signUp'],
): Promise<PasskeyStepAnswer> {
  const { origin } = new URL(base)
  if (signUp !== undefined) {
    const options = await browser.postJson(`${base}/sign-up/options`, signUp)
    if (options.status !== 200) throw new Error(`sign-up options: ${JSON.stringify(options.body)}`)
    const response = authenticator.register(options.body as never, { origin })
    const done = await browser.postJson<PasskeyStepAnswer>(`${base}/sign-up`, response)
    if (done.status !== 200) throw new Error(`sign-up: ${JSON.stringify(done.body)}`)
    return done.body
  }
  if (signInOptions === undefined) throw new Error(`the sign-in page at ${base} carries no options`)
  const response = authenticator.authenticate(signInOptions as never, { origin })
  const done = await browser.postJson<PasskeyStepAnswer>(`${base}/sign-in`, response)
  if (done.status !== 200) throw new Error(`sign-in: ${JSON.stringify(done.body)}`)
  return done.body
}
