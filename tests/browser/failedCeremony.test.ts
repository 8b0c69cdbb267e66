import {
  addVirtualAuthenticator,
  exportCredentials,
  launchChromium,
  type PageProblems,
  watchProblems,
} from '@passkey-id/testing/chromium'
import { startTestProvider, type TestProvider } from '@passkey-id/testing/provider'
import { buildAuthorizationRequest, discoverAsApp } from '@passkey-id/testing/sign-in'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

/** What the sign-in page says when the browser answers a ceremony with NotAllowedError. */
const CANCELLED = /cancelled or timed out\. Try again/

// The provider's sign-in page in real headless Chromium when a passkey ceremony does not complete:
// the person cancels (or has no passkey), picks a taken username, or types one that breaks the
// rules. Each time the page says what happened, gives the buttons back, and stores nothing.
describe('failed passkey ceremonies on the sign-in page in Chromium', () => {
  let provider: TestProvider
  let browser: Browser
  const problems: PageProblems = { cspViolations: [], pageErrors: [], consoleErrors: [] }
  /** Responses with a 5xx status, from any page: the provider should never fail like that here. */
  const serverErrors: string[] = []
  const contexts: BrowserContext[] = []

  beforeAll(async () => {
    provider = await startTestProvider()
    browser = await launchChromium()
  })
  afterAll(async () => {
    await browser?.close()
    await provider?.close()
  })

  /**
   * A new browser profile at the provider's sign-in page for a fresh authorization request, with
   * its script run (the buttons start disabled and the script enables them).
   */
  async function openSignIn(): Promise<Page> {
    const context = await browser.newContext({ viewport: { width: 900, height: 800 } })
    contexts.push(context)
    context.setDefaultTimeout(10_000)
    await watchProblems(context, problems)
    // Counts the WebAuthn prompts the page opens, so a test can tell that none was shown. The
    // autofill request (a conditional get, which shows no prompt) is left out.
    await context.addInitScript(() => {
      const calls: string[] = []
      Object.defineProperty(window, '__webauthnCalls', { value: calls })
      // about:blank, where every page starts, is no secure context and has no navigator.credentials.
      const credentials = navigator.credentials
      if (credentials === undefined) return
      const create = credentials.create.bind(credentials)
      const get = credentials.get.bind(credentials)
      credentials.create = (options) => {
        calls.push('create')
        return create(options)
      }
      credentials.get = (options) => {
        if (options?.mediation !== 'conditional') calls.push('get')
        return get(options)
      }
    })
    context.on('response', (response) => {
      if (response.status() >= 500)
        serverErrors.push(`${response.request().method()} ${response.url()}: ${response.status()}`)
    })
    const page = await context.newPage()
    const config = await discoverAsApp(provider.url, 'http://localhost:8000')
    const request = await buildAuthorizationRequest(config, {
      redirectUri: 'http://localhost:8000/cb',
      scope: 'openid avatar',
    })
    await page.goto(request.url.href)
    expect(new URL(page.url()).origin).toBe(provider.url)
    await untilEnabled(page)
    return page
  }

  function signUpButton(page: Page) {
    return page.getByRole('button', { name: 'Create account' })
  }
  function signInButton(page: Page) {
    return page.getByRole('button', { name: 'Sign in with a passkey' })
  }

  /** Waits until both buttons can be clicked (the script enables them when it is ready or done). */
  async function untilEnabled(page: Page) {
    for (const button of [signUpButton(page), signInButton(page)]) {
      await button.waitFor()
      await expect.poll(() => button.isEnabled(), { timeout: 10_000 }).toBe(true)
    }
  }

  /** Waits for the alert region to say something and returns its text. */
  async function alertText(page: Page): Promise<string> {
    const alert = page.getByRole('alert')
    await alert.filter({ hasText: /\S/ }).waitFor()
    expect(await alert.getAttribute('id')).toBe('message')
    return ((await alert.textContent()) ?? '').trim()
  }

  /** The WebAuthn calls the page has made so far (see `openSignIn`). */
  function webauthnCalls(page: Page): Promise<string[]> {
    return page.evaluate(() => [
      ...(window as unknown as { __webauthnCalls: string[] }).__webauthnCalls,
    ])
  }

  /** Fills the username, clicks Create account and waits for the consent page. */
  async function signUp(page: Page, username: string) {
    await page.getByLabel('Username').fill(username)
    await signUpButton(page).click()
    await page.getByRole('button', { name: 'Allow' }).waitFor()
    expect(new URL(page.url()).origin).toBe(provider.url)
  }

  it('a cancelled sign-up says so, gives the buttons back, and the same username works next time', async () => {
    const page = await openSignIn()
    const authenticator = await addVirtualAuthenticator(page, { userVerified: false })
    const username = 'carol'
    await page.getByLabel('Username').fill(username)

    const started = Date.now()
    await signUpButton(page).click()
    expect(await alertText(page)).toBe(
      'The passkey request was cancelled or timed out. Try again when you are ready.',
    )
    // Chromium refused at once: nothing waited for the ceremony's five-minute timeout. 30 s, far
    // below that, leaves room for Chromium and a server round trip on a loaded CI machine.
    expect(Date.now() - started).toBeLessThan(30_000)
    await untilEnabled(page)
    expect(await webauthnCalls(page)).toEqual(['create'])
    expect(await exportCredentials(authenticator)).toEqual([])
    expect(new URL(page.url()).pathname).toMatch(/^\/interaction\//)

    // The person verifies this time. The username is still free: the first try made no account.
    await authenticator.session.send('WebAuthn.setUserVerified', {
      authenticatorId: authenticator.authenticatorId,
      isUserVerified: true,
    })
    await signUp(page, username)
    expect(await page.locator('body').textContent()).toContain(`Signed in as ${username}`)
    const credentials = await exportCredentials(authenticator)
    expect(credentials).toHaveLength(1)
    expect(credentials[0]).toMatchObject({ rpId: 'localhost', isResidentCredential: true })
  })

  it('signing in without a passkey on the device says so and the button works again', async () => {
    const page = await openSignIn()
    const authenticator = await addVirtualAuthenticator(page)
    expect(await exportCredentials(authenticator)).toEqual([])

    // Twice: the second click first clears the message, so the second wait sees a new one.
    for (const attempt of [1, 2]) {
      const started = Date.now()
      await signInButton(page).click()
      expect(await alertText(page), `attempt ${attempt}`).toMatch(CANCELLED)
      // No wait for the ceremony's five-minute timeout; 30 s leaves room for a loaded CI machine.
      expect(Date.now() - started).toBeLessThan(30_000)
      await untilEnabled(page)
      expect(await webauthnCalls(page)).toEqual(Array(attempt).fill('get'))
    }
    expect(new URL(page.url()).pathname).toMatch(/^\/interaction\//)
    expect(await exportCredentials(authenticator)).toEqual([])
  })

  it('a taken username (in any case) is refused before any passkey is made', async () => {
    const first = await openSignIn()
    await addVirtualAuthenticator(first)
    await signUp(first, 'alice')

    const page = await openSignIn()
    const authenticator = await addVirtualAuthenticator(page)
    await page.getByLabel('Username').fill('Alice')
    await signUpButton(page).click()
    expect(await alertText(page)).toBe('The username "Alice" is taken. Choose another one.')
    await untilEnabled(page)
    const username = page.getByLabel('Username')
    // Soft: the remaining checks run and report too.
    expect
      .soft(await username.getAttribute('aria-invalid'), 'aria-invalid of Username')
      .toBe('true')
    expect
      .soft(
        await username.evaluate((input) => input === document.activeElement),
        'Username has focus',
      )
      .toBe(true)
    expect(await webauthnCalls(page)).toEqual([])
    expect(await exportCredentials(authenticator)).toEqual([])
  })

  it('a malformed username gets the rules, and no passkey prompt', async () => {
    const page = await openSignIn()
    const authenticator = await addVirtualAuthenticator(page)
    await page.getByLabel('Username').fill('a b')
    await signUpButton(page).click()
    expect(await alertText(page)).toBe(
      'A username has 3 to 30 letters (a to z), digits, and single dots, dashes or underscores, and starts and ends with a letter or digit.',
    )
    await untilEnabled(page)
    expect(await webauthnCalls(page)).toEqual([])
    // A working authenticator was there: had a prompt happened, it would now hold a passkey.
    expect(await exportCredentials(authenticator)).toEqual([])
    expect(new URL(page.url()).pathname).toMatch(/^\/interaction\//)
  })

  it('had no page errors, CSP violations or server errors on any page', async () => {
    await Promise.all(contexts.map((context) => context.close()))
    expect(problems.pageErrors).toEqual([])
    expect(problems.cspViolations).toEqual([])
    expect(serverErrors).toEqual([])
  })
})
