/**
 * Apps are not registered: an app's `client_id` is its own origin. These helpers decide what counts
 * as an origin and when two URLs belong to the same app.
 */

const LOOPBACK_HOSTNAMES = new Set(['localhost', '127.0.0.1', '[::1]'])

/** Whether a URL hostname names this machine (`localhost`, `127.0.0.1` or `[::1]`). */
export function isLoopbackHostname(hostname: string): boolean {
  return LOOPBACK_HOSTNAMES.has(hostname)
}

/** Whether a client_id is an app on this machine (the policies' "loopback app"). */
export function isLoopbackApp(clientId: string): boolean {
  const url = URL.parse(clientId)
  return url !== null && isLoopbackHostname(url.hostname)
}

/**
 * The canonical form of an origin (what `new URL(x).origin` gives), or `undefined` when the value
 * cannot name an app: not http(s), a path, query, fragment or credentials, or plain http on a host
 * other than this machine (an authorization code sent over plain http could be read on the way).
 */
export function canonicalAppOrigin(value: string): string | undefined {
  const url = URL.parse(value.trim())
  if (url === null || (url.protocol !== 'https:' && url.protocol !== 'http:')) return undefined
  if (url.username !== '' || url.password !== '' || url.search !== '' || url.hash !== '')
    return undefined
  if (url.pathname !== '/') return undefined
  if (url.protocol === 'http:' && !isLoopbackHostname(url.hostname)) return undefined
  return url.origin
}

/** Whether `clientId` is an app origin written exactly in canonical form. */
export function isAppOrigin(clientId: string): boolean {
  return canonicalAppOrigin(clientId) === clientId
}

/**
 * Whether `url` is on the app `clientId`: same scheme, host and port, where the loopback names count
 * as one host, because Swagger UI builds its redirect URI from whatever the address bar shows.
 * A URL holding a space or a control character is on no app: `URL.parse` would drop or encode it,
 * so the URL a person approves would not be the one compared, and approved redirect URIs are kept
 * as a space-separated list, where one such URL would read as two.
 */
export function isOnAppOrigin(url: string, clientId: string): boolean {
  if (/[\p{Cc} ]/u.test(url)) return false
  const target = URL.parse(url)
  const app = URL.parse(clientId)
  if (target === null || app === null) return false
  if (target.username !== '' || target.password !== '' || target.hash !== '') return false
  if (target.protocol !== app.protocol || target.port !== app.port) return false
  if (target.hostname === app.hostname) return true
  return isLoopbackHostname(target.hostname) && isLoopbackHostname(app.hostname)
}

/**
 * The sector of an app for pairwise subjects: its hostname, port ignored, with every loopback name
 * as `localhost`; so `http://localhost:8000` and `http://127.0.0.1:9000` see the same `sub`.
 */
export function appSector(clientId: string): string {
  const { hostname } = new URL(clientId)
  return isLoopbackHostname(hostname) ? 'localhost' : hostname
}
