import type { OpenInteraction } from './openInteraction.ts'

/**
 * Reads the page a browser landed on at `url` as a provider interaction page (its id is in the
 * path). Throws, with what was there, if it is anything else.
 */
export async function readInteractionPage(url: URL, response: Response): Promise<OpenInteraction> {
  const page = await response.text()
  const uid = /^\/interaction\/([^/]+)$/.exec(url.pathname)?.[1]
  if (uid === undefined) {
    throw new Error(`no interaction page at ${url} (${response.status}): ${page.slice(0, 500)}`)
  }
  return { uid, base: `${url.origin}/interaction/${uid}`, response, page }
}
