/**
 * The one rule for answering with a page or with JSON: a page when the request's `Accept` header
 * prefers `text/html` to `application/json`, as a browser opening a page or posting a form does;
 * JSON otherwise, as for the pages' scripts (which ask for JSON), apps and command-line clients
 * (which send `*\/*` or nothing). Used by the Fastify routes and by the oidc-provider endpoints alike.
 */
export function wantsPage(accept: string | undefined): boolean {
  if (accept === undefined) return false
  let html = 0
  let json = 0
  for (const entry of accept.split(',')) {
    const [type = '', ...parameters] = entry.split(';').map((part) => part.trim().toLowerCase())
    const q = quality(parameters)
    if (type === 'text/html' || type === 'application/xhtml+xml') html = Math.max(html, q)
    else if (type === 'application/json' || type === 'application/*' || type === '*/*')
      json = Math.max(json, q)
  }
  return html > json
}

/** The `q` parameter of an Accept entry (1 when absent, 0 when malformed). */
function quality(parameters: string[]): number {
  const q = parameters.find((parameter) => parameter.startsWith('q='))
  if (q === undefined) return 1
  const value = Number(q.slice(2))
  return Number.isFinite(value) && value >= 0 && value <= 1 ? value : 0
}
