import type {
  FastifyInstance,
  FastifyReply,
  FastifyRequest,
  HookHandlerDoneFunction,
} from 'fastify'
import { refuse } from '../refuse.ts'
import { replyIssuerUnavailable } from '../replyIssuerUnavailable.ts'
import type { CookieSessions, SessionLookup } from '../sessions/cookieSessions.ts'
import { type BearerToken, bearerToken } from '../tokens/bearerToken.ts'
import { IssuerUnavailableError } from '../tokens/IssuerUnavailableError.ts'
import type { TokenVerifier, VerifiedToken } from '../tokens/TokenVerifier.ts'

/** An onRequest (or preHandler) hook in callback style, which needs no `this`. */
export type AuthenticateHook = (
  request: FastifyRequest,
  reply: FastifyReply,
  done: HookHandlerDoneFunction,
) => void

/** A route's onRequest or preHandler hook as the app wrote it: callback style or async. */
export type RouteHook = (
  this: FastifyInstance,
  request: FastifyRequest,
  reply: FastifyReply,
  done: HookHandlerDoneFunction,
) => unknown

/**
 * The request decorator where `app.authenticate`, called from a hook of the app's own, finds the
 * scopes of the route it runs for (`around` sets it), so that it need not build `request.routeOptions`.
 */
export const ROUTE_SCOPES: unique symbol = Symbol('passkeyId.routeScopes')

type ScopedRequest = FastifyRequest & { [ROUTE_SCOPES]: readonly string[] | null }

/** The hooks that let a request through only with a valid token or session, and set `request.user`. */
export interface Authenticator {
  /**
   * `app.authenticate`. A route that names it directly runs `forRoute`'s hook instead (see
   * `protectRoute`); called from another hook, it reads the route's scopes per request.
   */
  authenticate: AuthenticateHook
  /** The hook for a route needing `scopes`, with nothing to look up per request. */
  forRoute(scopes: readonly string[]): AuthenticateHook
  /** `hook`, a hook of the app's own that calls `app.authenticate`, for a route needing `scopes`. */
  around(hook: RouteHook, scopes: readonly string[]): RouteHook
}

/**
 * Authentication for the plugin: a bearer token (RFC 6750) the verifier vouches for, or else the
 * session cookie, then the route's scopes. A token verified before is admitted without a promise or
 * an await: that is the path nearly every request takes, so it is kept synchronous and allocates
 * nothing of its own. A hook that replies does not call `done`.
 */
export function createAuthenticator({
  verifier,
  sessions,
  appUrl,
}: {
  verifier: TokenVerifier
  sessions: CookieSessions | undefined
  appUrl: string
}): Authenticator {
  /** Lets `user` through if they hold the `required` scopes (true); answers 403 otherwise (false). */
  const admit = (
    request: FastifyRequest,
    reply: FastifyReply,
    user: VerifiedToken,
    required: readonly string[],
  ): boolean => {
    for (const scope of required) {
      if (!user.scopes.includes(scope)) {
        refuse(reply, 'insufficientScope', { appUrl, required, granted: user.scopes })
        return false
      }
    }
    request.user = user
    return true
  }

  /**
   * A request without a bearer token: its session cookie, if sessions are on. A provider that
   * cannot be asked about the session gets 503, and the session is kept: an outage signs no one out.
   */
  const checkSession = async (
    request: FastifyRequest,
    reply: FastifyReply,
    required: readonly string[],
  ): Promise<boolean> => {
    if (sessions === undefined) {
      refuse(reply, 'noCredentials', { appUrl })
      return false
    }
    let session: SessionLookup
    try {
      session = await sessions.lookup(request)
    } catch (error) {
      if (!(error instanceof IssuerUnavailableError)) throw error
      replyIssuerUnavailable(request, reply, error, 'sessionCheck')
      return false
    }
    if (session.kind === 'session') return admit(request, reply, session.user, required)
    if (session.kind === 'ended') {
      await sessions.end(request, reply)
      refuse(reply, 'sessionEnded', { appUrl })
      return false
    }
    refuse(reply, session.kind === 'cross-site' ? 'crossSiteCookie' : 'noCredentials', { appUrl })
    return false
  }

  /** Everything but a cached token: sessions, refusals, and asking the issuer. True if admitted. */
  const check = async (
    request: FastifyRequest,
    reply: FastifyReply,
    header: BearerToken,
    required: readonly string[],
  ): Promise<boolean> => {
    if (header.kind === 'missing') return checkSession(request, reply, required)
    if (header.kind === 'malformed') {
      refuse(reply, 'malformedHeader', { appUrl, problem: header.problem })
      return false
    }
    try {
      const verdict = await verifier.verify(header.token)
      if (verdict.valid) return admit(request, reply, verdict.token, required)
      refuse(reply, 'invalidToken', { appUrl, problem: verdict.problem })
      return false
    } catch (error) {
      if (!(error instanceof IssuerUnavailableError)) throw error
      replyIssuerUnavailable(request, reply, error, 'token')
      return false
    }
  }

  const authenticateRequest = (
    request: FastifyRequest,
    reply: FastifyReply,
    done: HookHandlerDoneFunction,
    required: readonly string[],
  ): void => {
    const header = bearerToken(request.headers.authorization)
    const cached = header.kind === 'token' ? verifier.cached(header.token) : undefined
    if (cached !== undefined) {
      if (admit(request, reply, cached, required)) done()
      return
    }
    check(request, reply, header, required).then((admitted) => {
      if (admitted) done()
    }, done)
  }

  return {
    // Only a hook of the app's own that `protectRoute` could not see (an instance-wide hook, or an
    // unmarked wrapper) gets here without the slot set, and pays for `request.routeOptions`.
    authenticate: (request, reply, done) =>
      authenticateRequest(
        request,
        reply,
        done,
        (request as ScopedRequest)[ROUTE_SCOPES] ?? request.routeOptions.config.scopes ?? [],
      ),
    forRoute: (scopes) => (request, reply, done) =>
      authenticateRequest(request, reply, done, scopes),
    around: (hook, scopes) =>
      function (this: FastifyInstance, request, reply, done) {
        ;(request as ScopedRequest)[ROUTE_SCOPES] = scopes
        return hook.call(this, request, reply, done)
      },
  }
}
