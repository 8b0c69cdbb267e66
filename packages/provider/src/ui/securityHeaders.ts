/**
 * Response headers for everything the provider serves. Pages run only the provider's own bundled
 * script and stylesheet, cannot be framed (clickjacking on a consent page would approve for the
 * person) and send no referrer (authorization URLs carry codes and state).
 *
 * No Cross-Origin-Opener-Policy: Swagger UI signs in through a popup that reports back through
 * `window.opener`, which `same-origin` would sever.
 */
export function securityHeaders(options: {
  formActions?: readonly string[]
  https: boolean
}): Record<string, string> {
  const formAction =
    options.formActions === undefined
      ? ''
      : ` form-action ${["'self'", ...options.formActions].join(' ')};`
  return {
    'content-security-policy':
      `default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; base-uri 'none'; frame-ancestors 'none';${formAction}`.trim(),
    'referrer-policy': 'no-referrer',
    'x-content-type-options': 'nosniff',
    'x-frame-options': 'DENY',
    'cross-origin-resource-policy': 'same-origin',
    'permissions-policy': 'camera=(), microphone=(), geolocation=(), payment=()',
    ...(options.https ? { 'strict-transport-security': 'max-age=31536000' } : {}),
  }
}
