import type { FastifyReply } from 'fastify'
import type { HeaderProblem } from './tokens/bearerToken.ts'
import type { TokenProblem } from './tokens/TokenVerifier.ts'

/**
 * How a refusal challenges the client (RFC 6750 section 3): `none` sends no `WWW-Authenticate`
 * (the refusal is not about credentials); `realm` sends `Bearer realm="<appUrl>"` alone, as section
 * 3.1 asks when a request carried no credentials at all; `error` adds the row's `error` and the
 * message as `error_description`.
 */
type Challenge = 'none' | 'realm' | 'error'

/** What a challenge needs: the realm is the app's origin. */
interface Challenged {
  appUrl: string
}

/** The scopes a route needs, and those the token or session holds. */
interface ScopeCheck {
  required: readonly string[]
  granted: readonly string[]
}

/** One refusal: what an app reads (`error` to match on, `message` to show) and how it is sent. */
interface Refusal<Details> {
  status: number
  /** The body's `error`, and the challenge's `error` when `challenge` is `error`. */
  error: string
  challenge: Challenge
  message(details: Details): string
  /** The `scope` attribute of the challenge: the scopes the route needs. */
  scope?(details: Details): string
  headers?: Record<string, string>
}

/** Why a token was refused, as the end of "The access token was refused: ...". */
const TOKEN_PROBLEMS: Record<TokenProblem, string> = {
  expired: 'it has expired (exp)',
  not_yet_valid: 'it is not valid yet (nbf)',
  wrong_audience: 'it was issued for another audience (aud)',
  wrong_issuer: 'it was issued by another provider (iss)',
  bad_claim: 'one of its claims has a value a token cannot have',
  malformed: 'it is not a well-formed JWT',
  id_token: 'it is an ID token, which proves a sign-in to the app, not access to an API',
  no_subject: 'it names no subject (sub)',
  inactive: 'the provider says it is invalid, expired or revoked',
}

/** What is wrong with the header, as the end of "Malformed Authorization header: ...". */
const HEADER_PROBLEMS: Record<HeaderProblem, string> = {
  too_long: 'the Authorization header is too long',
  not_a_token: 'the bearer token is empty or has characters a token cannot have',
  not_bearer: 'the Authorization header must be "Bearer <token>"',
}

/** What the API could not do while the provider was unavailable. */
const ACTIONS = {
  token: 'check the access token',
  session: 'start a session',
  sessionCheck: 'check the session',
}

/**
 * Every refusal the plugin sends, and the only place that writes their sentences. The body is
 * always `{ error, message }`.
 */
export const REFUSALS = {
  noCredentials: {
    status: 401,
    error: 'unauthorized',
    challenge: 'realm',
    message: (_: Challenged) =>
      'Sign in first: this route needs an access token (Authorization: Bearer <token>).',
  },
  malformedHeader: {
    status: 400,
    error: 'invalid_request',
    challenge: 'error',
    message: ({ problem }: Challenged & { problem: HeaderProblem }) =>
      `Malformed Authorization header: ${HEADER_PROBLEMS[problem]}.`,
  },
  invalidToken: {
    status: 401,
    error: 'invalid_token',
    challenge: 'error',
    message: ({ problem }: Challenged & { problem: TokenProblem }) =>
      `The access token was refused: ${TOKEN_PROBLEMS[problem]}; sign in again.`,
  },
  insufficientScope: {
    status: 403,
    error: 'insufficient_scope',
    challenge: 'error',
    message: ({ required, granted }: Challenged & ScopeCheck) => {
      const missing = required.filter((scope) => !granted.includes(scope))
      return `This route needs the scope${missing.length > 1 ? 's' : ''} ${missing.join(' ')}; sign in again and grant ${missing.length > 1 ? 'them' : 'it'}.`
    },
    scope: ({ required }: Challenged & ScopeCheck) => required.join(' '),
  },
  crossSiteCookie: {
    status: 403,
    error: 'cross_site_request',
    challenge: 'realm',
    // A bearer token could be used from there (browsers never add one), the cookie cannot.
    message: (_: Challenged) =>
      "A request signed in by the session cookie must come from this app's own pages.",
  },
  sessionEnded: {
    status: 401,
    error: 'session_ended',
    challenge: 'realm',
    message: (_: Challenged) =>
      'Your session has ended: the sign-in provider no longer vouches for it (the app was revoked, or the sign-in expired). Sign in again.',
  },
  crossSiteSignOut: {
    status: 403,
    error: 'cross_site_request',
    challenge: 'none',
    message: () => "Signing out must come from this app's own pages.",
  },
  sessionNeedsToken: {
    status: 400,
    error: 'invalid_request',
    challenge: 'none',
    message: () => 'Send the access token (Authorization: Bearer <token>) to start a session.',
  },
  issuerUnavailable: {
    status: 503,
    error: 'temporarily_unavailable',
    challenge: 'none',
    headers: { 'retry-after': '5' },
    message: ({ action, issuer }: { action: keyof typeof ACTIONS; issuer: string }) =>
      `Cannot ${ACTIONS[action]}: the sign-in provider ${issuer} cannot be reached or gave an unusable answer. Try again shortly.`,
  },
  notReady: {
    status: 503,
    error: 'not_ready',
    challenge: 'none',
    headers: { 'retry-after': '5', 'cache-control': 'no-store' },
    message: ({ reason }: { reason: string }) => `Not ready: ${reason}.`,
  },
} as const satisfies Record<string, Refusal<never>>

/** The name of a refusal in `REFUSALS`. */
export type RefusalName = keyof typeof REFUSALS

/** What the API could not do while the provider was unavailable (see `issuerUnavailable`). */
export type UnavailableAction = keyof typeof ACTIONS

/** What the refusal `name` needs to be written. */
export type RefusalDetails<Name extends RefusalName> = Parameters<
  (typeof REFUSALS)[Name]['message']
>[0]

/** Sends the refusal `name`: its status, its `WWW-Authenticate` challenge, and `{ error, message }`. */
export function refuse<Name extends RefusalName>(
  reply: FastifyReply,
  name: Name,
  details: RefusalDetails<Name>,
): FastifyReply {
  const refusal: Refusal<RefusalDetails<Name>> = REFUSALS[name]
  const message = refusal.message(details)
  reply.code(refusal.status)
  if (refusal.headers !== undefined) reply.headers(refusal.headers)
  if (refusal.challenge !== 'none') {
    const realm = `Bearer realm="${(details as Challenged).appUrl}"`
    const scope = refusal.scope === undefined ? '' : `, scope="${refusal.scope(details)}"`
    reply.header(
      'www-authenticate',
      refusal.challenge === 'realm'
        ? realm
        : `${realm}, error="${refusal.error}", error_description="${message.replaceAll('"', "'")}"${scope}`,
    )
  }
  return reply.send({ error: refusal.error, message })
}
