import { readInteractionPage } from './readInteractionPage.ts'
import type { TestBrowser } from './TestBrowser.ts'

/** A provider interaction (sign-in or consent step) that a browser has open. */
export interface OpenInteraction {
  /** The interaction's id, from its URL. */
  uid: string
  /** Its page URL, `<provider>/interaction/<uid>`; the JSON steps are under it. */
  base: string
  /** The page's HTTP response (its body already read into `page`). */
  response: Response
  /** The page's HTML. */
  page: string
}

/**
 * Follows `url` (an authorization URL, or a URL that resumes one) in the browser until the provider
 * shows an interaction page, and returns it. Throws if the redirects leave the provider or end
 * anywhere else, with what was there.
 */
export async function openInteraction(browser: TestBrowser, url: URL): Promise<OpenInteraction> {
  const providerOrigin = url.origin
  const step = await browser.follow(url, (location) => location.origin !== providerOrigin)
  if (step.response === undefined) {
    throw new Error(`the provider sent the browser away, to ${step.url}`)
  }
  return readInteractionPage(step.url, step.response)
}
