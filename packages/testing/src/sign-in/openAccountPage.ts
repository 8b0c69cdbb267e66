import type { SoftwareAuthenticator } from '@passkey-id/authenticator'
import { PAGE_ACCEPT, type TestBrowser } from '../http/TestBrowser.ts'
import { signInThroughProvider } from './signInThroughProvider.ts'

/**
 * Opens the provider's account page in `browser`, signing in (or, with `signUp`, creating an
 * account) with `authenticator` through the provider's own pages when the browser is signed out.
 * Returns the page's HTML.
 */
export async function openAccountPage(
  browser: TestBrowser,
  authenticator: SoftwareAuthenticator,
  providerUrl: string,
  signUp?: { username: string; email?: string },
): Promise<string> {
  const account = `${providerUrl}/account`
  const first = await browser.fetch(account, { headers: { accept: PAGE_ACCEPT } })
  if (first.status === 200) return first.text()
  await first.body?.cancel()
  await signInThroughProvider(browser, authenticator, new URL(`${account}/sign-in`), {
    signUp,
    stopAt: (location) => location.pathname === '/account/signed-in',
  })
  const page = await browser.fetch(account, { headers: { accept: PAGE_ACCEPT } })
  if (page.status !== 200)
    throw new Error(`the account page answered ${page.status} after signing in`)
  return page.text()
}

/**
 * Signs out of the provider in `browser` through its sign-out page and confirmation form, as a
 * person does; returns where the provider sends the browser afterwards.
 */
export async function signOutOfProvider(
  browser: TestBrowser,
  providerUrl: string,
  params: Record<string, string> = {},
): Promise<URL> {
  const url = new URL(`${providerUrl}/openid/logout`)
  for (const [name, value] of Object.entries(params)) url.searchParams.set(name, value)
  const page = await browser.fetch(url, { headers: { accept: PAGE_ACCEPT } })
  const xsrf = /name="xsrf" value="([^"]+)"/.exec(await page.text())?.[1]
  if (page.status !== 200 || xsrf === undefined)
    throw new Error(`the sign-out page answered ${page.status} without its form`)
  const confirmed = await browser.fetch(`${providerUrl}/openid/logout/confirm`, {
    method: 'POST',
    headers: { accept: PAGE_ACCEPT, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ xsrf, logout: 'yes' }),
  })
  if (confirmed.status !== 303)
    throw new Error(`the sign-out confirmation answered ${confirmed.status}`)
  return new URL(String(confirmed.headers.get('location')), providerUrl)
}
