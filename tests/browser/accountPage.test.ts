import {
  accessibilityViolations,
  addVirtualAuthenticator,
  exportCredentials,
  launchChromium,
  type PageProblems,
  type VirtualAuthenticator,
  watchProblems,
} from '@passkey-id/testing/chromium'
import {
  LOOPBACK_APP,
  LOOPBACK_REDIRECT_URI,
  startTestProvider,
  type TestProvider,
} from '@passkey-id/testing/provider'
import { buildAuthorizationRequest, discoverAsApp } from '@passkey-id/testing/sign-in'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

// The account page in real headless Chromium, in a phone-sized window, driven by labels and the
// keyboard the way a person would: sign up there, fill in the profile, add and rename passkeys,
// revoke an app, sign out, sign in again and delete the account.
describe('the account page in Chromium', () => {
  let provider: TestProvider
  let browser: Browser
  let page: Page
  let authenticator: VirtualAuthenticator
  const problems: PageProblems = { cspViolations: [], pageErrors: [], consoleErrors: [] }

  beforeAll(async () => {
    provider = await startTestProvider()
    browser = await launchChromium()
    const context = await browser.newContext({
      viewport: { width: 390, height: 844 },
      isMobile: true,
      hasTouch: true,
    })
    context.setDefaultTimeout(15_000)
    await watchProblems(context, problems)
    // The app is not running: its redirect URI answers with a plain page.
    await context.route(`${LOOPBACK_APP}/**`, (route) =>
      route.fulfill({ contentType: 'text/plain', body: 'the app got the sign-in result' }),
    )
    page = await context.newPage()
    authenticator = await addVirtualAuthenticator(page)
  })
  afterAll(async () => {
    await browser?.close()
    await provider?.close()
  })

  async function expectFitsTheWindow(): Promise<void> {
    const overflow = await page.evaluate(
      () => document.documentElement.scrollWidth - window.innerWidth,
    )
    expect(overflow).toBeLessThanOrEqual(0)
  }

  it('creates an account from /account and shows it', async () => {
    await page.goto(`${provider.url}/account`)
    await expect
      .poll(() => page.getByText('Signing in to manage your passkey-id account').count())
      .toBe(1)
    expect(await accessibilityViolations(page)).toEqual([])
    await page.getByLabel('Username').fill('walter')
    await page.getByLabel('Username').press('Enter')
    await page.waitForURL(`${provider.url}/account`)
    await expect.poll(() => page.getByText('Signed in as walter').count()).toBe(1)
    await expectFitsTheWindow()
  })

  it('saves the profile, and marks a malformed field with a message', async () => {
    await page.getByLabel('Full name').fill('Walter Example')
    await page.getByLabel('Phone number').fill('0044')
    await page.getByLabel('Time zone').fill('Europe/Zurich')
    await page.getByText('owl', { exact: true }).click()
    await page.getByRole('button', { name: 'Save profile' }).click()
    const problem = page.getByRole('alert').filter({ hasText: 'The profile was not saved' })
    await expect.poll(() => problem.count()).toBe(1)
    expect(await page.getByLabel('Phone number').getAttribute('aria-invalid')).toBe('true')
    expect(await accessibilityViolations(page)).toEqual([])
    // The summary links to the field.
    await problem.getByRole('link').first().click()
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('field-phone_number')
    await page.keyboard.press('Control+A')
    await page.keyboard.type('+41 44 668 18 00')
    await page.keyboard.press('Enter')
    await expect
      .poll(() => page.getByRole('status').textContent())
      .toContain('Your profile is saved')
    expect(await page.getByLabel('Phone number').inputValue()).toBe('+41446681800')
    expect(await page.getByLabel('Full name').inputValue()).toBe('Walter Example')
    expect(await page.locator('input[name="avatar"][value="owl"]').isChecked()).toBe(true)

    // "Pick one for me" stores one of the avatars, picked once.
    await page.getByText('pick one for me').click()
    await page.getByRole('button', { name: 'Save profile' }).click()
    // The saved page never has "pick one for me" checked: the choice was made and stored.
    await expect
      .poll(() => page.locator('input[name="avatar"][value="random"]').isChecked())
      .toBe(false)
    const picked = await page.locator('input[name="avatar"]:checked').getAttribute('value')
    expect(picked).toMatch(/^(fox|owl|frog|whale|plum|rose|moss|slate)$/)
    await expectFitsTheWindow()
  })

  it('says so when this device already holds the account’s passkey, and adds one from another', async () => {
    await page.getByRole('button', { name: 'Add a passkey' }).click()
    await expect
      .poll(() => page.locator('#passkey-message').textContent())
      .toContain('already holds a passkey for this account')
    // Another device: a second authenticator; its new passkey signs in from now on.
    await authenticator.session.send('WebAuthn.removeVirtualAuthenticator', {
      authenticatorId: authenticator.authenticatorId,
    })
    authenticator = await addVirtualAuthenticator(page)
    await page.getByRole('button', { name: 'Add a passkey' }).click()
    await expect
      .poll(() => page.getByRole('status').textContent())
      .toContain('The new passkey is added')
    // Named after its provider: Chromium's virtual authenticator is in the AAGUID list too.
    expect(await page.locator('li.passkey h3').allTextContents()).toEqual([
      'Chromium Virtual Authenticator (browser dev tools)',
      'Chromium Virtual Authenticator (browser dev tools)',
    ])
  })

  it('renames a passkey', async () => {
    await page.locator('#rename-1').fill('Phone')
    await page.locator('#rename-1').press('Enter')
    await expect
      .poll(() => page.getByRole('status').textContent())
      .toContain('The passkey is renamed')
    expect(await page.getByRole('heading', { name: 'Phone' }).count()).toBe(1)
  })

  it('lists an app the person allowed, and revokes it', async () => {
    const config = await discoverAsApp(provider.url, LOOPBACK_APP)
    const request = await buildAuthorizationRequest(config, {
      redirectUri: LOOPBACK_REDIRECT_URI,
      scope: 'openid profile',
    })
    await page.goto(request.url.href)
    // Signed in already: the consent page shows the value the profile scope would share.
    await expect.poll(() => page.getByText('Walter Example').count()).toBeGreaterThan(0)
    expect(await accessibilityViolations(page)).toEqual([])
    await page.getByRole('button', { name: 'Allow' }).click()
    await page.waitForURL((url) => url.origin === LOOPBACK_APP)

    await page.goto(`${provider.url}/account#apps`)
    const app = page.locator('.approved-app').filter({ hasText: LOOPBACK_APP })
    expect(await app.textContent()).toContain('openid, profile')
    await app.getByRole('button', { name: 'Revoke access' }).click()
    await expect
      .poll(() => page.getByRole('status').textContent())
      .toContain('The app can no longer see your account')
    expect(await page.getByText('You have not allowed any app yet.').count()).toBe(1)
    expect(await accessibilityViolations(page)).toEqual([])
  })

  it('lists the recent activity under its heading, newest first, at a glance and to a screen reader', async () => {
    const activity = page.getByRole('region', { name: 'Recent activity' })
    const items = activity.getByRole('listitem')
    // Each from this machine: what happened is what is left of the item.
    const texts = (await items.allTextContents()).map((text) =>
      text.replace(/^.* UTC: /, '').replace(/, from (?:127\.0\.0\.1|::1)$/, ''),
    )
    expect(texts).toEqual([
      `App access revoked (${LOOPBACK_APP})`,
      `App allowed (${LOOPBACK_APP})`,
      'Passkey renamed',
      'Passkey added',
      'Account created (this account page)',
    ])
    expect(await activity.locator('time').first().getAttribute('datetime')).toMatch(/Z$/)
    expect(await accessibilityViolations(page)).toEqual([])
    await expectFitsTheWindow()
  })

  it('signs out, signs in again with a passkey, and deletes the account', async () => {
    await page.getByRole('button', { name: 'Sign out of passkey-id' }).click()
    await page.getByRole('button', { name: 'Sign out of passkey-id' }).click()
    await expect.poll(() => page.getByRole('heading', { name: 'Signed out' }).count()).toBe(1)

    // The device holds the passkey: the sign-in page's autofill request signs in with it on its own.
    await page.goto(`${provider.url}/account`)
    await page.waitForURL(`${provider.url}/account`)
    await expect.poll(() => page.getByText('Signed in as walter').count()).toBe(1)

    await page.getByLabel('Type your username').fill('walter')
    await page.getByRole('button', { name: 'Delete my account' }).click()
    await expect.poll(() => page.getByRole('heading', { name: 'Account deleted' }).count()).toBe(1)

    // The page told the passkey manager that none of its passkeys is accepted: the device drops it.
    await expect.poll(() => exportCredentials(authenticator)).toEqual([])
    await page.goto(`${provider.url}/account`)
    await page.getByRole('button', { name: 'Sign in with a passkey' }).click()
    await expect.poll(() => page.locator('#message').textContent()).toContain('cancelled')
  })

  it('ran without script errors or CSP violations', () => {
    expect(problems.cspViolations).toEqual([])
    expect(problems.pageErrors).toEqual([])
  })
})
