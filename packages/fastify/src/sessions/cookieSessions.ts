import { randomBytes } from 'node:crypto'
import fastifyCookie from '@fastify/cookie'
import { isSameOriginRequest } from '@passkey-id/runtime'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { IssuerUnavailableError } from '../IssuerClient.ts'
import type { VerifiedToken } from '../TokenVerifier.ts'
import { databaseSessionStore } from './databaseSessionStore.ts'
import type { ApiSession, SessionStore } from './SessionStore.ts'

/** Options of the API's own sessions (the `sessions` option of the plugin). */
export interface SessionOptions {
  /** Where sessions live (default: a SQLite file, `sqlite:./data/sessions.db`). */
  databaseUrl?: string
  /** A store of your own instead of the database. */
  store?: SessionStore
  /** How long a session lasts, in seconds (default 8 hours). */
  ttlSeconds?: number
  /** Path of the session routes (default `/session`). */
  routePrefix?: string
}

/** What a session cookie says about a request. */
export type SessionLookup =
  | { kind: 'none' }
  | { kind: 'cross-site' }
  | { kind: 'session'; user: VerifiedToken }

/** The API's cookie sessions, as the plugin uses them. */
export interface CookieSessions {
  /** The person a request's session cookie signs in, if any (checked against CSRF for unsafe methods). */
  lookup(request: FastifyRequest): Promise<SessionLookup>
  /** Whether the request carries a session cookie on an unsafe method from another site. */
  isCrossSite(request: FastifyRequest): boolean
  /**
   * Starts a session for a verified token's person and sets its cookie. Throws
   * `IssuerUnavailableError` when the provider cannot give the profile.
   */
  start(reply: FastifyReply, token: VerifiedToken): Promise<ApiSession>
  /** Ends the request's session, if any, and clears its cookie. */
  end(request: FastifyRequest, reply: FastifyReply): Promise<void>
  store: SessionStore
  routePrefix: string
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS'])

/**
 * Sets up server-side sessions behind a signed cookie (`HttpOnly`, `SameSite=Lax`, `Secure` and the
 * `__Host-` prefix on https). A cookie rides along on any request the browser makes, so unsafe
 * methods authenticated by it must come from the app's own pages: `Sec-Fetch-Site: same-origin`,
 * or, from browsers that do not send it, an `Origin` that is the app's.
 */
export async function cookieSessions(
  app: FastifyInstance,
  appUrl: string,
  options: SessionOptions,
): Promise<CookieSessions> {
  const store =
    options.store ??
    (await databaseSessionStore(options.databaseUrl ?? 'sqlite:./data/sessions.db'))
  if (options.store === undefined) app.addHook('onClose', () => store.close())
  await app.register(fastifyCookie, { secret: await store.cookieSecret() })
  const secure = appUrl.startsWith('https:')
  const cookieName = secure ? '__Host-session' : 'session'
  const ttlSeconds = options.ttlSeconds ?? 8 * 3600

  const sessionId = (request: FastifyRequest): string | undefined => {
    const raw = request.cookies[cookieName]
    if (raw === undefined) return undefined
    const unsigned = request.unsignCookie(raw)
    return unsigned.valid && unsigned.value !== null ? unsigned.value : undefined
  }
  const isCrossSite = (request: FastifyRequest): boolean =>
    request.cookies[cookieName] !== undefined &&
    !SAFE_METHODS.has(request.method) &&
    !isSameOriginRequest(request, appUrl)
  return {
    store,
    routePrefix: options.routePrefix ?? '/session',
    isCrossSite,
    async lookup(request) {
      const id = sessionId(request)
      if (id === undefined) return { kind: 'none' }
      if (isCrossSite(request)) return { kind: 'cross-site' }
      const session = await store.find(id)
      if (session === undefined) return { kind: 'none' }
      return {
        kind: 'session',
        user: {
          sub: session.sub,
          scopes: session.scopes,
          expiresAt: session.expiresAt,
          userinfo: async () => session.profile,
        },
      }
    },
    async start(reply, token) {
      // A provider that refuses the profile leaves the session with `sub` only; one that is down
      // fails the sign-in (503), rather than storing an empty profile for the session's life.
      const profile = await token.userinfo().catch((error: unknown) => {
        if (error instanceof IssuerUnavailableError) throw error
        return { sub: token.sub }
      })
      const now = new Date()
      const session: ApiSession = {
        id: randomBytes(32).toString('base64url'),
        sub: token.sub,
        scopes: token.scopes,
        profile,
        createdAt: now,
        expiresAt: new Date(now.getTime() + ttlSeconds * 1000),
      }
      await store.create(session)
      reply.setCookie(cookieName, session.id, {
        signed: true,
        httpOnly: true,
        sameSite: 'lax',
        secure,
        path: '/',
        maxAge: ttlSeconds,
      })
      return session
    },
    async end(request, reply) {
      const id = sessionId(request)
      if (id !== undefined) await store.delete(id)
      reply.clearCookie(cookieName, { path: '/', secure, httpOnly: true, sameSite: 'lax' })
    },
  }
}
