import { mkdir } from 'node:fs/promises'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import {
  accessibilityViolations,
  addVirtualAuthenticator,
  launchChromium,
  type PageProblems,
  watchProblems,
  withoutPasskeyAutofill,
} from '@passkey-id/testing/chromium'
import { startTestSmtpServer, type TestSmtpServer } from '@passkey-id/testing/mail'
import { startTestProvider, type TestProvider } from '@passkey-id/testing/provider'
import { buildAuthorizationRequest, discoverAsApp } from '@passkey-id/testing/sign-in'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

// The step after a sign-up with an email address, in real Chromium with a virtual authenticator, by
// the buttons' and fields' accessible names, with the code read from the message a real SMTP server
// received; the app is a plain page at its redirect URI.
describe('verifying the address right after a sign-up, in Chromium', () => {
  let smtp: TestSmtpServer
  let provider: TestProvider
  let browser: Browser
  let app: Server
  let appUrl: string
  const problems: PageProblems = { cspViolations: [], pageErrors: [], consoleErrors: [] }

  beforeAll(async () => {
    smtp = await startTestSmtpServer()
    provider = await startTestProvider({ SMTP_URL: smtp.url })
    browser = await launchChromium()
    app = createServer((_request, response) => response.end('the app got the sign-in result'))
    await new Promise<void>((resolve) => app.listen(0, 'localhost', resolve))
    appUrl = `http://localhost:${(app.address() as AddressInfo).port}`
  })
  afterAll(async () => {
    await browser?.close()
    app?.close()
    await provider?.close()
    await smtp?.close()
  })

  /**
   * A new browser profile at the sign-in page of a new authorization request for the email scope.
   * The authenticator is attached after the page loads: without autofill the page makes no
   * conditional request that an empty authenticator would answer on its own.
   */
  async function openSignIn(): Promise<Page> {
    const context = await browser.newContext({ viewport: { width: 520, height: 900 } })
    context.setDefaultTimeout(15_000)
    await watchProblems(context, problems)
    await withoutPasskeyAutofill(context)
    const page = await context.newPage()
    const config = await discoverAsApp(provider.url, appUrl)
    const request = await buildAuthorizationRequest(config, {
      redirectUri: `${appUrl}/cb`,
      scope: 'openid email',
    })
    await page.goto(request.url.href)
    await addVirtualAuthenticator(page)
    const create = page.getByRole('button', { name: 'Create account' })
    await expect.poll(() => create.isEnabled()).toBe(true)
    return page
  }

  async function signUp(page: Page, username: string, email: string): Promise<void> {
    await page.getByLabel('Username').fill(username)
    await page.getByLabel('Email (optional)').fill(email)
    await page.getByRole('button', { name: 'Create account' }).click()
    await page.getByRole('heading', { name: 'Verify your email address' }).waitFor()
  }

  it('sends the code only when asked, Verify checks it, and the consent page shows it verified', async () => {
    const page = await openSignIn()
    await signUp(page, 'verifier', 'verifier@example.com')
    expect(await page.getByText('verifier@example.com').count()).toBe(1)
    expect(await page.getByRole('textbox', { name: 'Verification code' }).isVisible()).toBe(false)
    expect(smtp.messages).toEqual([])
    expect(await accessibilityViolations(page)).toEqual([])

    await page.getByRole('button', { name: 'Send verification code' }).click()
    const mail = await smtp.nextMessage({ since: 0 })
    const code = /^\s+(\d{6})$/m.exec(mail.text)?.[1]
    expect(code).toMatch(/^\d{6}$/)
    const field = page.getByRole('textbox', { name: 'Verification code' })
    await field.waitFor()
    await expect
      .poll(() => page.getByRole('status').textContent())
      .toContain('A 6-digit code is on its way to verifier@example.com')
    await mkdir('/tmp/shots', { recursive: true })
    await page.screenshot({ path: '/tmp/shots/signup-verify.png', fullPage: true })

    // A wrong code first: said under the step, the field marked, the step still there.
    await field.fill(String((Number(code) + 1) % 1_000_000).padStart(6, '0'))
    await page.getByRole('button', { name: 'Verify', exact: true }).click()
    await expect
      .poll(() => page.getByRole('alert').textContent())
      .toContain('That is not the code we sent')
    expect(await field.getAttribute('aria-invalid')).toBe('true')
    expect(await accessibilityViolations(page)).toEqual([])
    await page.screenshot({ path: '/tmp/shots/signup-verify-wrong.png', fullPage: true })

    await field.fill(String(code))
    await field.press('Enter')
    await page.getByRole('button', { name: 'Allow' }).waitFor()
    expect(await page.getByText('verifier@example.com (verified)').count()).toBe(1)
    expect(await accessibilityViolations(page)).toEqual([])
    await page.getByRole('button', { name: 'Allow' }).click()
    await page.waitForURL((url) => url.origin === appUrl)
    expect(smtp.messages).toHaveLength(1)
    // Chromium logs the refused wrong code's 400; nothing else went wrong.
    expect(problems).toEqual({
      cspViolations: [],
      pageErrors: [],
      consoleErrors: [expect.stringMatching(/status of 400 .*\/email\/verify\)$/)],
    })
    problems.consoleErrors.length = 0
  })

  it('Continue without verifying goes on to the app, mailing nothing', async () => {
    const since = smtp.messages.length
    const page = await openSignIn()
    await signUp(page, 'skipper', 'skipper@example.com')
    await page.getByRole('button', { name: 'Continue without verifying' }).click()
    await page.getByRole('button', { name: 'Allow' }).waitFor()
    expect(await page.getByText('skipper@example.com (not verified').count()).toBe(1)
    await page.getByRole('button', { name: 'Allow' }).click()
    await page.waitForURL((url) => url.origin === appUrl)
    expect(smtp.messages).toHaveLength(since)
    expect(problems).toEqual({ cspViolations: [], pageErrors: [], consoleErrors: [] })
  })
})
