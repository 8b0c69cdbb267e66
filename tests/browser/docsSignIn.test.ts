import {
  addVirtualAuthenticator,
  dialogFlow,
  executeOperation,
  exportCredentials,
  importCredentials,
  launchChromium,
  openAuthorizeDialog,
  openDocs,
  type PageProblems,
  startSignIn,
  type VirtualCredential,
  watchProblems,
  withoutPasskeyAutofill,
} from '@passkey-id/testing/chromium'
import { startTestDemo, type TestDemo } from '@passkey-id/testing/demo'
import { startTestProvider, type TestProvider } from '@passkey-id/testing/provider'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

// The demo's Swagger UI in real headless Chromium: Authorize opens the provider in a popup, a
// passkey is made (or used) by a CDP virtual authenticator, and Execute calls GET /userinfo with
// the access token Swagger UI got with PKCE.
describe('signing in from the demo docs in Chromium', () => {
  let provider: TestProvider
  let demo: TestDemo
  let port: string
  let appUrl: string
  let browser: Browser
  const problems: PageProblems = { cspViolations: [], pageErrors: [], consoleErrors: [] }
  const username = `docs${Date.now().toString(36)}`
  /** The passkey made at sign-up, exported from the popup's authenticator before it closed. */
  let credentials: VirtualCredential[] = []
  let firstSub: string

  beforeAll(async () => {
    provider = await startTestProvider()
    demo = await startTestDemo(provider)
    appUrl = demo.url
    port = new URL(appUrl).port
    browser = await launchChromium()
  })
  afterAll(async () => {
    await browser?.close()
    await demo?.close()
    await provider?.close()
  })

  /** A new browser profile (no cookies) with the docs open, watched for problems. */
  async function freshDocs(docsOrigin: string): Promise<Page> {
    const context = await browser.newContext({ viewport: { width: 900, height: 800 } })
    context.setDefaultTimeout(15_000)
    await watchProblems(context, problems)
    // The popup's authenticator is attached while its page loads: the sign-in page's autofill
    // request would race it. These tests use the button; signInAutofill.test.ts tests autofill.
    await withoutPasskeyAutofill(context)
    return openDocs(context, `${docsOrigin}/docs`)
  }

  /** Opens the dialog, checks its two flows and the code flow's client_id, and starts that flow. */
  async function authorize(docs: Page) {
    const dialog = await openAuthorizeDialog(docs)
    // Discovery lists authorization_code and implicit: Swagger UI shows one flow for each.
    await dialog.getByRole('button', { name: 'Apply given OAuth2 credentials' }).first().waitFor()
    expect(await dialog.locator('.flow code').allTextContents()).toEqual([
      'authorization_code with PKCE',
      'implicit',
    ])
    const flow = dialogFlow(dialog, 'authorization_code with PKCE')
    // client_id comes from initOAuth: the app's origin, also when the docs are opened at 127.0.0.1.
    expect(await flow.getByLabel('client_id:').inputValue()).toBe(appUrl)
    const signIn = await startSignIn(docs, flow)
    const visited = [signIn.popup.url()]
    signIn.popup.on('framenavigated', (frame) => {
      if (frame === signIn.popup.mainFrame()) visited.push(frame.url())
    })
    return { ...signIn, visited }
  }

  /** Closes the dialog once it says Authorized, runs GET /userinfo and parses the body. */
  async function userinfo(docs: Page) {
    const dialog = docs.locator('.dialog-ux')
    // Swagger UI shows the scheme as authorized in each of its flows: any heading will do.
    const authorized = dialog.getByRole('heading', { name: 'Authorized' }).first()
    // The token request is one round trip, not the five-minute passkey timeout: 30 s leaves room
    // for Chromium and the server on a loaded CI machine.
    await authorized.waitFor({ timeout: 30_000 }).catch(async () => {
      throw new Error(`Swagger UI did not get a token: ${await dialog.textContent()}`)
    })
    // Each flow has a Close button; any of them closes the dialog.
    await dialog.getByRole('button', { name: 'Close' }).first().click()
    const { status, body } = await executeOperation(docs, 'GET', '/userinfo')
    expect(status, body).toBe(200)
    return JSON.parse(body) as Record<string, unknown>
  }

  /** In the popup: sign in with the exported passkey; says whether it closed or asked for consent. */
  async function signInWithPasskey(popup: Page, closed: Promise<void>) {
    await importCredentials(await addVirtualAuthenticator(popup), credentials)
    await untilScripted(popup)
    await popup.getByRole('button', { name: 'Sign in with a passkey' }).click()
    const outcome = await Promise.race([
      closed.then(() => 'closed' as const),
      // waitFor fails when the popup closes: then the close decides.
      popup
        .getByRole('button', { name: 'Allow' })
        .waitFor({ timeout: 0 })
        .then(
          () => 'consent' as const,
          () => closed.then(() => 'closed' as const),
        ),
      stuckAfter(10_000),
    ])
    if (outcome === 'stuck')
      throw new Error(`the popup neither closed nor asked for consent: ${await pageReport(popup)}`)
    // The authenticator counted one more assertion and the provider stored it, but the popup is
    // gone before its credential can be exported again: carry the counter forward, as the person's
    // device would, or the next import would be refused as a cloned passkey.
    credentials = credentials.map((credential) => ({
      ...credential,
      signCount: credential.signCount + 1,
    }))
    return outcome
  }

  /**
   * Waits until the popup shows the provider's sign-in page with its script run (module scripts run
   * before DOMContentLoaded): a click before that would submit the sign-up form without JavaScript.
   */
  async function untilScripted(popup: Page) {
    await popup.getByRole('button', { name: 'Sign in with a passkey' }).waitFor()
    await popup.waitForLoadState('domcontentloaded')
  }

  /** Waits for the popup to close itself (from Swagger UI's oauth2-redirect page). */
  async function popupCloses(popup: Page, closed: Promise<void>) {
    if ((await Promise.race([closed, stuckAfter(10_000)])) === 'stuck')
      throw new Error(`the popup did not close: ${await pageReport(popup)}`)
  }

  /** Where a page is and what it says, with the problems seen so far, for failure messages. */
  async function pageReport(page: Page): Promise<string> {
    const text = page.isClosed()
      ? '(closed)'
      : await page
          .locator('body')
          .textContent({ timeout: 1_000 })
          .then((text) => text?.replace(/\s+/g, ' ').trim())
          .catch(() => '(unreadable)')
    return `${page.url()}\n${text}\nconsole errors: ${JSON.stringify(problems.consoleErrors, null, 2)}`
  }

  /** Settles with 'stuck' after `ms` (the timer does not keep the process alive). */
  function stuckAfter(ms: number) {
    return new Promise<'stuck'>((resolve) => setTimeout(resolve, ms, 'stuck').unref())
  }

  it('signs up with a passkey in the popup, consents, and Execute shows /userinfo', async () => {
    const docs = await freshDocs(appUrl)
    const { popup, closed } = await authorize(docs)
    const authenticator = await addVirtualAuthenticator(popup)
    await untilScripted(popup)
    await popup.getByLabel('Username').fill(username)
    await popup.getByRole('button', { name: 'Create account' }).click()

    const allow = popup.getByRole('button', { name: 'Allow' })
    await allow.waitFor()
    expect(new URL(popup.url()).origin).toBe(provider.url)
    credentials = await exportCredentials(authenticator)
    expect(credentials).toHaveLength(1)
    expect(credentials[0]).toMatchObject({ rpId: 'localhost', isResidentCredential: true })
    await allow.click()
    await popupCloses(popup, closed)

    const profile = await userinfo(docs)
    expect(profile.preferred_username).toBe(username)
    expect(profile.sub).toEqual(expect.any(String))
    firstSub = String(profile.sub)
    await docs.context().close()
  }, 120_000)

  it('signs in again with the same passkey in a new profile without a consent page', async () => {
    expect(credentials, 'needs the passkey from the sign-up test').toHaveLength(1)
    const docs = await freshDocs(appUrl)
    const { popup, closed } = await authorize(docs)

    expect(await signInWithPasskey(popup, closed)).toBe('closed')
    const profile = await userinfo(docs)
    expect(profile).toMatchObject({ preferred_username: username, sub: firstSub })
    await docs.context().close()
  }, 120_000)

  it('signs in from docs opened at 127.0.0.1 (client_id localhost, redirect to 127.0.0.1)', async () => {
    expect(credentials, 'needs the passkey from the sign-up test').toHaveLength(1)
    const docs = await freshDocs(`http://127.0.0.1:${port}`)
    const { popup, closed, visited } = await authorize(docs)

    expect(await signInWithPasskey(popup, closed)).toBe('closed')
    expect(visited.map((url) => url.split('?')[0])).toContain(
      `http://127.0.0.1:${port}/docs/static/oauth2-redirect.html`,
    )
    const profile = await userinfo(docs)
    expect(profile).toMatchObject({ preferred_username: username, sub: firstSub })
    await docs.context().close()
  }, 120_000)

  it('had no Content-Security-Policy violations or page errors on any page', () => {
    expect(problems.pageErrors).toEqual([])
    expect(problems.cspViolations).toEqual([])
  })
})
