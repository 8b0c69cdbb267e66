import type { TestBrowser } from '../http/TestBrowser.ts'
import { type OpenInteraction, readInteractionPage } from './readInteractionPage.ts'

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
