/** What is wrong with an `Authorization` header; `refuse.ts` holds the sentence an app reads for each. */
export type HeaderProblem = 'too_long' | 'not_a_token' | 'not_bearer'

/** The outcome of reading an `Authorization` header as RFC 6750 describes. */
export type BearerToken =
  | { kind: 'missing' }
  | { kind: 'malformed'; problem: HeaderProblem }
  | { kind: 'token'; token: string }

// RFC 6750 section 2.1: "Bearer" 1*SP b64token, where b64token = 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"="
const BEARER = /^Bearer +([A-Za-z0-9\-._~+/]+=*)$/i

/** Longest token accepted; real access tokens are far shorter, and this bounds work per request. */
export const MAX_TOKEN_LENGTH = 4096

/** Reads the bearer token out of an `Authorization` header value. */
export function bearerToken(header: string | undefined): BearerToken {
  if (header === undefined || header === '') return { kind: 'missing' }
  if (header.length > MAX_TOKEN_LENGTH + 7) return { kind: 'malformed', problem: 'too_long' }
  const match = BEARER.exec(header)
  if (match?.[1] === undefined)
    return { kind: 'malformed', problem: /^Bearer\b/i.test(header) ? 'not_a_token' : 'not_bearer' }
  return { kind: 'token', token: match[1] }
}
