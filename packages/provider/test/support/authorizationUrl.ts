/**
 * An authorization request URL at `issuer` with exactly `params` (`undefined` leaves a parameter
 * out), written by hand rather than by openid-client: Swagger UI's bare `response_type=token`
 * request, with no nonce, is one no relying-party library builds.
 */
export function authorizationUrl(issuer: string, params: Record<string, string | undefined>): URL {
  const url = new URL(`${issuer}/openid/authorize`)
  for (const [name, value] of Object.entries(params))
    if (value !== undefined) url.searchParams.set(name, value)
  return url
}
