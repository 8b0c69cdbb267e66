/**
 * A provider interaction (sign-in or consent step) that a browser has open. It is declared here,
 * where such a page is read, so that `openInteraction` and `signInThroughProvider` both depend on
 * this file and it on neither.
 */
export interface OpenInteraction {
  /** The interaction's id, from its URL. */
  uid: string
  /** Its page URL, `<provider>/interaction/<uid>`; the JSON steps are under it. */
  base: string
  /** The page's HTTP response (its body already read into `page`). */
  response: Response
  /** The page's HTML. */
  page: string
  /** The sign-in options a sign-in page carries (its form's `data-sign-in-options`), if any. */
  signInOptions: Record<string, unknown> | undefined
}

/** The characters the provider's pages escape in an attribute, back from their references. */
const REFERENCES: Record<string, string> = {
  '&amp;': '&',
  '&lt;': '<',
  '&gt;': '>',
  '&quot;': '"',
  '&#39;': "'",
}

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
  const attribute = /\sdata-sign-in-options="([^"]*)"/.exec(page)?.[1]
  const signInOptions =
    attribute === undefined
      ? undefined
      : (JSON.parse(
          attribute.replace(
            /&(?:amp|lt|gt|quot|#39);/g,
            (reference) => REFERENCES[reference] ?? '',
          ),
        ) as Record<string, unknown>)
  return { uid, base: `${url.origin}/interaction/${uid}`, response, page, signInOptions }
}
