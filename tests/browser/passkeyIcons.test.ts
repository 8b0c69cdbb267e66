import {
  accessibilityViolations,
  addVirtualAuthenticator,
  launchChromium,
  type PageProblems,
  watchProblems,
} from '@passkey-id/testing/chromium'
import {
  PROVIDER_AAGUIDS,
  startTestProvider,
  TEST_PASSKEY_PROVIDER_LIST,
  type TestProvider,
} from '@passkey-id/testing/provider'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { readPasskeyProviderList } from '../../packages/provider/src/passkeys/readPasskeyProviderList.ts'

// The provider's icon beside a passkey's name, in real Chromium: it loads under the pages' own
// Content-Security-Policy (img-src 'self'), and follows the color scheme.
describe("a passkey's provider icon in Chromium", () => {
  let provider: TestProvider
  let browser: Browser
  let page: Page
  const problems: PageProblems = { cspViolations: [], pageErrors: [], consoleErrors: [] }

  beforeAll(async () => {
    // The test list has an icon for Chromium's virtual authenticator, whose AAGUID the passkey gets.
    provider = await startTestProvider({}, undefined, {
      passkeyProviders: readPasskeyProviderList(TEST_PASSKEY_PROVIDER_LIST),
    })
    browser = await launchChromium()
    const context = await browser.newContext({ viewport: { width: 900, height: 800 } })
    context.setDefaultTimeout(15_000)
    await watchProblems(context, problems)
    page = await context.newPage()
    await addVirtualAuthenticator(page)
  })
  afterAll(async () => {
    await browser?.close()
    await provider?.close()
  })

  /** The icon's source as the browser chose it, and whether it decoded to a picture. */
  function iconState() {
    return page.locator('li.passkey img.passkey-icon').evaluate((element) => {
      const img = element as HTMLImageElement
      return { src: img.currentSrc, loaded: img.complete && img.naturalWidth > 0 }
    })
  }

  it('shows the icon for a light page once the account is created', async () => {
    await page.emulateMedia({ colorScheme: 'light' })
    await page.goto(`${provider.url}/account`)
    await expect
      .poll(() => page.getByText('Signing in to manage your passkey-id account').count())
      .toBe(1)
    await page.getByLabel('Username').fill('iris')
    await page.getByLabel('Username').press('Enter')
    await page.waitForURL(`${provider.url}/account`)
    await expect
      .poll(() => page.locator('li.passkey h3').allTextContents())
      .toEqual(['Chromium Virtual Authenticator (browser dev tools)'])
    const icon = `${provider.url}/assets/passkey-icons/${PROVIDER_AAGUIDS.chromiumVirtualAuthenticator}`
    await expect.poll(iconState).toEqual({ src: `${icon}/light`, loaded: true })
    const size = await page.locator('li.passkey img.passkey-icon').boundingBox()
    expect(size).toMatchObject({ width: 24, height: 24 })
    expect(await accessibilityViolations(page)).toEqual([])
  })

  it('switches to the dark icon on a dark page', async () => {
    await page.emulateMedia({ colorScheme: 'dark' })
    const icon = `${provider.url}/assets/passkey-icons/${PROVIDER_AAGUIDS.chromiumVirtualAuthenticator}`
    await expect.poll(iconState).toEqual({ src: `${icon}/dark`, loaded: true })
  })

  it('broke no Content-Security-Policy rule and logged no error', () => {
    expect(problems).toEqual({ cspViolations: [], pageErrors: [], consoleErrors: [] })
  })
})
