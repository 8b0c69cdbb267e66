import { visibleText } from '@passkey-id/testing/http'

/** An authorization response as the app receives it. */
export interface AuthorizationResponse {
  /** How it travelled: in the redirect's query or fragment, or posted by a form_post page. */
  mode: 'query' | 'fragment' | 'form_post'
  /** Where it went: the redirect URI, without query or fragment. */
  target: string
  params: URLSearchParams
}

/**
 * Reads the authorization response from where the browser ended up: a redirect to the app (`URL`),
 * or the provider's form_post page (`Response`), whose hidden inputs the page's script would post.
 * Throws when a redirect carries parameters in both its query and its fragment, which no response
 * mode does.
 */
export async function readAuthorizationResponse(
  arrival: URL | Response,
): Promise<AuthorizationResponse> {
  if (arrival instanceof URL) {
    const target = `${arrival.origin}${arrival.pathname}`
    const query = new URLSearchParams(arrival.search)
    const fragment = new URLSearchParams(arrival.hash.slice(1))
    if (query.size > 0 && fragment.size > 0)
      throw new Error(`parameters in both the query and the fragment: ${arrival}`)
    return query.size > 0
      ? { mode: 'query', target, params: query }
      : { mode: 'fragment', target, params: fragment }
  }
  const html = await arrival.text()
  const action = /<form method="post" action="([^"]*)">/.exec(html)?.[1]
  if (arrival.status !== 200 || action === undefined)
    throw new Error(`not a form_post page (${arrival.status}): ${html.slice(0, 500)}`)
  const params = new URLSearchParams()
  for (const [, name = '', value = ''] of html.matchAll(
    /<input type="hidden" name="([^"]*)" value="([^"]*)"\/>/g,
  ))
    params.append(visibleText(name), visibleText(value))
  return { mode: 'form_post', target: visibleText(action), params }
}
