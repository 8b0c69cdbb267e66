import {
  accessibilityViolations,
  addVirtualAuthenticator,
  launchChromium,
  type PageProblems,
  watchProblems,
} from '@passkey-id/testing/chromium'
import { startTestSmtpServer, type TestSmtpServer } from '@passkey-id/testing/mail'
import { startTestProvider, type TestProvider } from '@passkey-id/testing/provider'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

// Email verification on the account page in real Chromium, by the buttons' and fields' accessible
// names, with the code read from the message a real SMTP server received.
describe('email verification in Chromium', () => {
  let smtp: TestSmtpServer
  let provider: TestProvider
  let browser: Browser
  let page: Page
  const problems: PageProblems = { cspViolations: [], pageErrors: [], consoleErrors: [] }

  beforeAll(async () => {
    smtp = await startTestSmtpServer()
    provider = await startTestProvider({ SMTP_URL: smtp.url })
    browser = await launchChromium()
    const context = await browser.newContext()
    context.setDefaultTimeout(15_000)
    await watchProblems(context, problems)
    page = await context.newPage()
    await addVirtualAuthenticator(page)
  })
  afterAll(async () => {
    await browser?.close()
    await provider?.close()
    await smtp?.close()
  })

  it('sends a code to the address typed in Email, and Verify marks it verified', async () => {
    await page.goto(`${provider.url}/account`)
    await page.getByLabel('Username').fill('verifier')
    await page.getByLabel('Username').press('Enter')
    await page.waitForURL(`${provider.url}/account`)

    await page.getByLabel('Email (optional)').fill('verifier@example.com')
    await page.getByRole('button', { name: 'Send verification code' }).click()
    const mail = await smtp.nextMessage({ since: 0 })
    const code = /^\s+(\d{6})$/m.exec(mail.text)?.[1]
    expect(code).toMatch(/^\d{6}$/)
    await expect.poll(() => page.getByText('This address is not verified yet.').count()).toBe(1)
    expect(await accessibilityViolations(page)).toEqual([])

    await page.getByRole('textbox', { name: 'Verification code' }).fill(String(code))
    await page.getByRole('button', { name: 'Verify', exact: true }).click()
    await expect.poll(() => page.getByText('This address is verified.').count()).toBe(1)
    await expect
      .poll(() => page.getByRole('status').textContent())
      .toContain('Your email address is verified.')
    expect(await accessibilityViolations(page)).toEqual([])

    // Enter in a profile field saves the profile: Save profile stays the form's first button.
    await page.getByLabel('Email (optional)').press('Enter')
    await expect
      .poll(() => page.getByRole('status').textContent())
      .toContain('Your profile is saved.')
    expect(smtp.messages).toHaveLength(1)
    expect(problems).toEqual({ cspViolations: [], pageErrors: [], consoleErrors: [] })
  })
})
