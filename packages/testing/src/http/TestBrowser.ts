/** The Accept header a browser sends when it opens a page (oidc-provider renders errors as HTML only then). */
export const PAGE_ACCEPT = 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8'

/**
 * A browser without a screen, for protocol tests: it keeps cookies per host, follows redirects one
 * at a time (so a test can stop at the app's redirect URI) and says where requests come from the way
 * browsers do (`Sec-Fetch-Site`).
 */
export class TestBrowser {
  private readonly jars = new Map<string, Map<string, string>>()

  /** A request with this browser's cookies for the URL's host; never follows redirects itself. */
  async fetch(
    url: string | URL,
    init: RequestInit & { site?: 'same-origin' | 'cross-site' | 'none' } = {},
  ): Promise<Response> {
    const target = new URL(url)
    const headers = new Headers(init.headers)
    const jar = this.jar(target.host)
    if (jar.size > 0)
      headers.set('cookie', [...jar].map(([name, value]) => `${name}=${value}`).join('; '))
    headers.set(
      'sec-fetch-site',
      init.site ?? (init.method === undefined || init.method === 'GET' ? 'none' : 'same-origin'),
    )
    const response = await fetch(target, { ...init, headers, redirect: 'manual' })
    for (const cookie of response.headers.getSetCookie()) this.store(target.host, cookie)
    return response
  }

  /** POSTs JSON as the sign-in page's script does, and returns the status and parsed body. */
  async postJson<T = Record<string, unknown>>(
    url: string | URL,
    body: unknown,
    init: { site?: 'same-origin' | 'cross-site' } = {},
  ) {
    const response = await this.fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify(body),
      ...init,
    })
    return { status: response.status, body: (await response.json()) as T }
  }

  /**
   * Follows redirects from `url` until a response is not a redirect, or until `stopAt` says the next
   * location is where the test wants to stop (the app's redirect URI, which is not running).
   */
  async follow(
    url: string | URL,
    stopAt: (location: URL) => boolean = () => false,
  ): Promise<{ url: URL; response?: Response }> {
    let current = new URL(url)
    for (let hops = 0; hops < 10; hops += 1) {
      if (stopAt(current)) return { url: current }
      const response = await this.fetch(current)
      const location = response.headers.get('location')
      if (response.status < 300 || response.status >= 400 || location === null)
        return { url: current, response }
      await response.body?.cancel()
      current = new URL(location, current)
    }
    throw new Error(`too many redirects from ${String(url)}`)
  }

  /** Forgets every cookie, like a new browser profile. */
  clearCookies(): void {
    this.jars.clear()
  }

  private jar(host: string): Map<string, string> {
    let jar = this.jars.get(host)
    if (jar === undefined) {
      jar = new Map()
      this.jars.set(host, jar)
    }
    return jar
  }

  private store(host: string, setCookie: string): void {
    const [pair = '', ...attributes] = setCookie.split(';')
    const separator = pair.indexOf('=')
    const name = pair.slice(0, separator).trim()
    const value = pair.slice(separator + 1).trim()
    const expired = attributes.some((attribute) => {
      const [key = '', setting = ''] = attribute.split('=').map((part) => part.trim().toLowerCase())
      return (
        (key === 'max-age' && Number(setting) <= 0) ||
        (key === 'expires' && Date.parse(setting) < Date.now())
      )
    })
    if (expired || value === '') this.jar(host).delete(name)
    else this.jar(host).set(name, value)
  }
}
