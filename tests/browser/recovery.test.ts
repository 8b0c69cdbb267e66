import { openDatabase } from '@passkey-id/store'
import {
  accessibilityViolations,
  addVirtualAuthenticator,
  exportCredentials,
  launchChromium,
  type PageProblems,
  watchProblems,
} from '@passkey-id/testing/chromium'
import { startTestSmtpServer, type TestSmtpServer } from '@passkey-id/testing/mail'
import { type ProviderWithAccount, startProviderWithAccount } from '@passkey-id/testing/provider'
import type { Browser } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { ProviderDatabase } from '../../packages/provider/src/store/schema.ts'

// The recovery pages in real headless Chromium with a virtual authenticator: the form, the mailed
// link's page, and its button, which creates the passkey and opens the account page signed in.
// Chromium and two ceremonies take seconds on a busy machine: the test has 90 of them.
describe('account recovery in Chromium', () => {
  let smtp: TestSmtpServer
  let fixture: ProviderWithAccount
  let browser: Browser
  const problems: PageProblems = { cspViolations: [], pageErrors: [], consoleErrors: [] }

  beforeAll(async () => {
    smtp = await startTestSmtpServer()
    fixture = await startProviderWithAccount({
      email: 'alice@example.com',
      env: { SMTP_URL: smtp.url },
    })
    // The address counts as verified (email verification has tests of its own).
    const db = openDatabase<ProviderDatabase>(fixture.provider.config.databaseUrl)
    await db
      .updateTable('accounts')
      .set({ email_verified_at: new Date().toISOString(), verified_email_key: 'alice@example.com' })
      .execute()
    await db.destroy()
    browser = await launchChromium()
  })
  afterAll(async () => {
    await browser?.close()
    await fixture?.close()
    await smtp?.close()
  })

  it('mails a link from the form, and its button makes a passkey and opens the account page', async () => {
    const url = fixture.provider.url
    const context = await browser.newContext()
    context.setDefaultTimeout(15_000)
    await watchProblems(context, problems)
    const page = await context.newPage()

    await page.goto(`${url}/recovery`)
    expect(await accessibilityViolations(page)).toEqual([])
    await page.getByLabel('Username or email').fill('alice')
    const since = smtp.messages.length
    await page.getByRole('button', { name: 'Send recovery link' }).click()
    await page.getByRole('heading', { name: 'Check your email' }).waitFor()
    const mail = await smtp.nextMessage({ since })
    const link = /^\s+(http\S+\/recovery\/link#[\w-]{43})$/m.exec(mail.text)?.[1]
    expect(link).toEqual(expect.any(String))

    // Another device: a new profile and an empty authenticator.
    const device = await browser.newContext()
    device.setDefaultTimeout(15_000)
    await watchProblems(device, problems)
    const phone = await device.newPage()
    const authenticator = await addVirtualAuthenticator(phone)
    await phone.goto(String(link))
    const button = phone.getByRole('button', { name: 'Create a new passkey' })
    await expect.poll(() => button.isEnabled()).toBe(true)
    // The token left the address bar (and the history) once the script had read it.
    expect(phone.url()).toBe(`${url}/recovery/link`)
    expect(await accessibilityViolations(phone)).toEqual([])
    await button.click()
    await phone.waitForURL(`${url}/account`)
    await phone.getByText('Signed in as alice').waitFor()
    expect(await exportCredentials(authenticator)).toHaveLength(1)

    // The same link again: refused on the page, nothing more created.
    await phone.goto(String(link))
    await expect.poll(() => button.isEnabled()).toBe(true)
    await button.click()
    await phone.getByText('This recovery link was used already').waitFor()

    expect(problems.cspViolations).toEqual([])
    expect(problems.pageErrors).toEqual([])
    await context.close()
    await device.close()
  }, 90_000)

  it("opened in a browser signed in as another account, signs that one out and the link's in", async () => {
    const url = fixture.provider.url
    const db = openDatabase<ProviderDatabase>(fixture.provider.config.databaseUrl)
    /** A new browser profile with an empty authenticator, on the account page signed up as `username`. */
    const signedUp = async (username: string) => {
      const context = await browser.newContext()
      context.setDefaultTimeout(15_000)
      await watchProblems(context, problems)
      const page = await context.newPage()
      const authenticator = await addVirtualAuthenticator(page)
      await page.goto(`${url}/account`)
      await page.getByLabel('Username', { exact: true }).fill(username)
      await page.getByLabel('Username', { exact: true }).press('Enter')
      await page.getByText(`Signed in as ${username}`).waitFor()
      return { context, page, authenticator }
    }
    await (await signedUp('erin')).context.close()
    // mallory stays signed in, in the browser where erin's link will be opened.
    const { context, page, authenticator } = await signedUp('mallory')
    try {
      await db
        .updateTable('accounts')
        .set({
          email: 'erin@example.com',
          email_verified_at: new Date().toISOString(),
          verified_email_key: 'erin@example.com',
        })
        .where('username', '=', 'erin')
        .execute()

      await page.goto(`${url}/recovery`)
      await page.getByLabel('Username or email').fill('erin')
      const since = smtp.messages.length
      await page.getByRole('button', { name: 'Send recovery link' }).click()
      const mail = await smtp.nextMessage({
        since,
        matches: (message) => message.envelopeTo.includes('erin@example.com'),
      })
      const link = /^\s+(http\S+\/recovery\/link#[\w-]{43})$/m.exec(mail.text)?.[1]
      expect(link).toEqual(expect.any(String))
      await page.goto(String(link))
      const button = page.getByRole('button', { name: 'Create a new passkey' })
      await expect.poll(() => button.isEnabled()).toBe(true)
      await button.click()
      // oidc-provider's page that signs mallory out posts itself (its script is allowed by hash).
      await page.waitForURL(`${url}/account`)
      await page.getByText('Signed in as erin').waitFor()
      const owners = await db
        .selectFrom('passkeys')
        .innerJoin('accounts', 'accounts.id', 'passkeys.account_id')
        .select('accounts.username')
        .where('accounts.username', 'in', ['erin', 'mallory'])
        .execute()
      expect(owners.map((row) => row.username).sort()).toEqual(['erin', 'erin', 'mallory'])
      expect(await exportCredentials(authenticator)).toHaveLength(2)
      expect(problems.cspViolations).toEqual([])
      expect(problems.pageErrors).toEqual([])
    } finally {
      await db.destroy()
      await context.close()
    }
  }, 90_000)
})
