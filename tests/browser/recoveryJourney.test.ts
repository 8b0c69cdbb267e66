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
import { startTestSmtpServer, type TestSmtpServer } from '@passkey-id/testing/mail'
import { startTestProvider, type TestProvider } from '@passkey-id/testing/provider'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

// Issue 12's whole journey in real Chromium, with a real SMTP server in the test: a person signs up
// from the demo's docs page and verifies their address from the code mailed to it; loses the device
// (a new browser profile, an empty authenticator); gets back in through `Lost your passkey?` and the
// mailed link; and signs in again from the docs page as the same person to the app (same `sub`),
// with `email_verified: true` and no consent page. Then the new passkey alone signs in on a third
// browser profile.
describe('sign up, verify the address, lose the passkey, recover, sign in again', () => {
  let smtp: TestSmtpServer
  let provider: TestProvider
  let demo: TestDemo
  let browser: Browser
  const problems: PageProblems = { cspViolations: [], pageErrors: [], consoleErrors: [] }
  const username = `journey${Date.now().toString(36)}`
  const email = `${username}@example.com`

  beforeAll(async () => {
    smtp = await startTestSmtpServer()
    provider = await startTestProvider({ SMTP_URL: smtp.url })
    demo = await startTestDemo(provider)
    browser = await launchChromium()
  })
  afterAll(async () => {
    await browser?.close()
    await demo?.close()
    await provider?.close()
    await smtp?.close()
  })

  /** A new browser profile: no cookies, no passkeys, watched for problems. */
  async function newProfile(): Promise<BrowserContext> {
    const context = await browser.newContext({ viewport: { width: 900, height: 800 } })
    context.setDefaultTimeout(15_000)
    await watchProblems(context, problems)
    // Authenticators are attached after the sign-in page loads: its autofill request would race them.
    await withoutPasskeyAutofill(context)
    return context
  }

  /** The docs with the code flow (PKCE) started: the provider's popup and its closing. */
  async function authorize(context: BrowserContext) {
    const docs = await openDocs(context, `${demo.url}/docs`)
    const dialog = await openAuthorizeDialog(docs)
    const signIn = await startSignIn(docs, dialogFlow(dialog, 'authorization_code with PKCE'))
    return { docs, ...signIn }
  }

  /** Once the dialog says Authorized: GET /userinfo through the docs page, parsed. */
  async function userinfo(docs: Page): Promise<Record<string, unknown>> {
    const dialog = docs.locator('.dialog-ux')
    await dialog.getByRole('heading', { name: 'Authorized' }).first().waitFor()
    await dialog.getByRole('button', { name: 'Close' }).first().click()
    const { status, body } = await executeOperation(docs, 'GET', '/userinfo')
    expect(status, body).toBe(200)
    return JSON.parse(body) as Record<string, unknown>
  }

  /** The first message to `to` after `since` messages, and the 6-digit code or link in it. */
  async function mailTo(to: string, since: number) {
    const message = await smtp.nextMessage({ since })
    expect(message.envelopeTo).toEqual([to])
    return message
  }

  it('journeys from sign-up to recovery and back to the app as the same person', async () => {
    // 1. Sign up from the docs page, with an address, on the first device.
    const first = await newProfile()
    const signUp = await authorize(first)
    await addVirtualAuthenticator(signUp.popup)
    await signUp.popup.getByRole('button', { name: 'Sign in with a passkey' }).waitFor()
    await signUp.popup.getByLabel('Username').fill(username)
    await signUp.popup.getByLabel('Email (optional)').fill(email)
    await signUp.popup.getByRole('button', { name: 'Create account' }).click()

    // 2. Verify the address from the code mailed to it, in the step sign-up offers; allow the app.
    const popup = signUp.popup
    await popup.getByRole('button', { name: 'Send verification code' }).click()
    const codeMail = await mailTo(email, 0)
    const code = /^\s+(\d{6})$/m.exec(codeMail.text)?.[1]
    expect(code, codeMail.text).toMatch(/^\d{6}$/)
    await popup.getByRole('textbox', { name: 'Verification code' }).fill(String(code))
    await popup.getByRole('button', { name: 'Verify', exact: true }).click()

    // The consent page that follows shows the address as verified.
    const allow = popup.getByRole('button', { name: 'Allow' })
    await allow.waitFor()
    expect(await popup.getByText('(verified)', { exact: true }).count()).toBe(1)
    await allow.click()
    await signUp.closed
    const before = await userinfo(signUp.docs)
    expect(before).toMatchObject({ preferred_username: username, email, email_verified: true })
    await first.close()

    // 3. The device is lost: a new profile with an empty authenticator cannot sign in.
    const second = await newProfile()
    const lost = await authorize(second)
    await lost.popup.getByRole('link', { name: 'Lost your passkey?' }).click()
    await lost.popup.getByLabel('Username or email').fill(email)
    const sent = smtp.messages.length
    await lost.popup.getByRole('button', { name: 'Send recovery link' }).click()
    const linkMail = await mailTo(email, sent)
    const link = /https?:\/\/\S+\/recovery\/link\S*/.exec(linkMail.text)?.[0]
    expect(link, linkMail.text).toBeDefined()
    await lost.popup.close()

    // 4. The link, opened on this device, shows only a page; its button makes the new passkey.
    const recovery = await second.newPage()
    const authenticator = await addVirtualAuthenticator(recovery)
    await recovery.goto(String(link))
    const create = recovery.getByRole('button', { name: 'Create a new passkey' })
    await expect.poll(() => create.isEnabled()).toBe(true)
    const noticed = smtp.messages.length
    await create.click()
    await recovery.waitForURL(`${provider.url}/account`)
    const credentials: VirtualCredential[] = await exportCredentials(authenticator)
    expect(credentials).toHaveLength(1)
    const notice = await mailTo(email, noticed)
    expect(notice.subject).toMatch(/recover/i)

    // 5. Back to the app from the docs page: signed in at the provider already, consent remembered.
    const again = await authorize(second)
    await again.closed
    const after = await userinfo(again.docs)
    expect(after).toMatchObject({ sub: before.sub, email_verified: true, email })
    await second.close()

    // 6. The new passkey alone signs in, on a third profile, without a consent page.
    const third = await newProfile()
    const withPasskey = await authorize(third)
    await importCredentials(await addVirtualAuthenticator(withPasskey.popup), credentials)
    await withPasskey.popup.getByRole('button', { name: 'Sign in with a passkey' }).click()
    await withPasskey.closed
    expect(await userinfo(withPasskey.docs)).toMatchObject({ sub: before.sub })
    await third.close()

    expect(problems).toEqual({ cspViolations: [], pageErrors: [], consoleErrors: [] })
  }, 180_000)
})
