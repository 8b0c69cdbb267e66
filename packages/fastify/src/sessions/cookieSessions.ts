import { randomBytes } from 'node:crypto'
import fastifyCookie from '@fastify/cookie'
import { isSameOriginRequest } from '@passkey-id/runtime'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { IssuerUnavailableError } from '../tokens/IssuerUnavailableError.ts'
import { LruCache } from '../tokens/LruCache.ts'
import type { TokenVerifier, VerifiedToken } from '../tokens/TokenVerifier.ts'
import type { ApiSession, SessionStore } from './SessionStore.ts'
import { type SessionKeys, sessionKeys } from './sessionKeys.ts'

/** The sessions as the plugin runs them: a store of the app's own, or the database at `databaseUrl`. */
export interface SessionSettings {
  store: SessionStore | undefined
  databaseUrl: string
  ttlSeconds: number
  routePrefix: string
  /** How many sessions' opened access tokens are remembered. */
  cacheSize: number
}

/**
 * What a session cookie says about a request: no session, a cross-site request, a session the
 * provider no longer vouches for (`ended`, and deleted), or a live session.
 */
export type SessionLookup =
  | { kind: 'none' }
  | { kind: 'cross-site' }
  | { kind: 'ended' }
  | { kind: 'session'; user: VerifiedToken }

/** The API's cookie sessions, as the plugin uses them. */
export interface CookieSessions {
  /**
   * The person a request's session cookie signs in, if any (checked against CSRF for unsafe
   * methods, and with the provider as `verifier` does for the session's token). Throws
   * `IssuerUnavailableError` when the provider must be asked and cannot be: the session is kept.
   */
  lookup(request: FastifyRequest): Promise<SessionLookup>
  /** Whether the request carries a session cookie on an unsafe method from another site. */
  isCrossSite(request: FastifyRequest): boolean
  /**
   * Starts a session for the person of `accessToken`, verified as `token`, and sets its cookie.
   * Throws `IssuerUnavailableError` when the provider cannot give the profile.
   */
  start(reply: FastifyReply, token: VerifiedToken, accessToken: string): Promise<ApiSession>
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
 *
 * The cookie's value is the session's only key: the store keeps a digest of it as the session's id,
 * and the access token sealed under it (`sessionKeys`), so what the store holds cannot be replayed.
 *
 * A session lives no longer than the provider vouches for the access token it was started with:
 * `verifier` trusts the provider's word on a token for at most `revalidateAfterSeconds` (a verified
 * JWT, until it expires), so a session whose app was revoked ends within that time, while a session
 * checked recently costs no call to the provider.
 */
export async function cookieSessions(
  app: FastifyInstance,
  appUrl: string,
  settings: SessionSettings,
  verifier: TokenVerifier,
): Promise<CookieSessions> {
  const store = settings.store ?? (await openDatabaseStore(app, settings.databaseUrl))
  await app.register(fastifyCookie, { secret: await store.cookieSecret() })
  const secure = appUrl.startsWith('https:')
  const cookieName = secure ? '__Host-session' : 'session'
  const ttlSeconds = settings.ttlSeconds

  /** The value of the request's session cookie, if it carries one this app signed. */
  const cookieValue = (request: FastifyRequest): string | undefined => {
    const raw = request.cookies[cookieName]
    if (raw === undefined) return undefined
    const unsigned = request.unsignCookie(raw)
    return unsigned.valid && unsigned.value !== null ? unsigned.value : undefined
  }

  /**
   * Access tokens opened for sessions, by the session's store id, with the sealed value each was
   * opened from. Deriving the key and decrypting costs a few keyed hashes, most of a cookie request's
   * CPU; a session's next request skips them while its row still holds that very value. Only a
   * request carrying the cookie finds an entry: the id is the digest of the cookie's value.
   */
  const opened = new LruCache<string, { sealed: string; accessToken: string }>(settings.cacheSize)
  const openToken = (keys: SessionKeys, session: ApiSession): string | undefined => {
    const known = opened.get(keys.storeId)
    if (known?.sealed === session.accessToken) return known.accessToken
    const accessToken = keys.openToken(session.accessToken)
    if (accessToken !== undefined) {
      const entry = { sealed: session.accessToken, accessToken }
      opened.set(keys.storeId, entry, session.expiresAt.getTime())
    }
    return accessToken
  }

  /**
   * The session's token as the provider still vouches for it (the verifier's cached word, or asked
   * now), or `undefined` when it does not, or the token is another person's.
   */
  const vouchedToken = async (
    session: ApiSession,
    accessToken: string,
  ): Promise<VerifiedToken | undefined> => {
    const verdict = await verifier.verify(accessToken)
    return verdict.valid && verdict.token.sub === session.sub ? verdict.token : undefined
  }
  const isCrossSite = (request: FastifyRequest): boolean =>
    request.cookies[cookieName] !== undefined &&
    !SAFE_METHODS.has(request.method) &&
    !isSameOriginRequest(request, appUrl)
  return {
    store,
    routePrefix: settings.routePrefix,
    isCrossSite,
    async lookup(request) {
      const value = cookieValue(request)
      if (value === undefined) return { kind: 'none' }
      if (isCrossSite(request)) return { kind: 'cross-site' }
      const keys = sessionKeys(value)
      const session = keys === undefined ? undefined : await store.find(keys.storeId)
      if (keys === undefined || session === undefined) return { kind: 'none' }
      const accessToken = openToken(keys, session)
      const token = accessToken === undefined ? undefined : await vouchedToken(session, accessToken)
      if (token === undefined) {
        await store.delete(keys.storeId)
        return { kind: 'ended' }
      }
      // What the session may do is what its token may, as the provider says now: the row's copy
      // of the scopes is for listing, and whoever can write the store cannot widen them.
      const tokenExpiry = token.expiresAt?.getTime() ?? Number.POSITIVE_INFINITY
      return {
        kind: 'session',
        user: {
          sub: session.sub,
          scopes: token.scopes,
          expiresAt: new Date(Math.min(session.expiresAt.getTime(), tokenExpiry)),
          userinfo: async () => session.profile,
        },
      }
    },
    async start(reply, token, accessToken) {
      // A provider that refuses the profile leaves the session with `sub` only; one that is down
      // fails the sign-in (503), rather than storing an empty profile for the session's life.
      const profile = await token.userinfo().catch((error: unknown) => {
        if (error instanceof IssuerUnavailableError) throw error
        return { sub: token.sub }
      })
      const now = new Date()
      // The session cannot outlive its token: once the token expires, the provider can no longer
      // say whether the app was revoked.
      const expiresAt = Math.min(
        now.getTime() + ttlSeconds * 1000,
        token.expiresAt?.getTime() ?? Number.POSITIVE_INFINITY,
      )
      const value = randomBytes(32).toString('base64url')
      const keys = sessionKeys(value)
      if (keys === undefined) throw new TypeError('a new session cookie value must be 32 bytes')
      const session: ApiSession = {
        id: keys.storeId,
        sub: token.sub,
        scopes: token.scopes,
        accessToken: keys.sealToken(accessToken),
        profile,
        createdAt: now,
        expiresAt: new Date(expiresAt),
      }
      await store.create(session)
      reply.setCookie(cookieName, value, {
        signed: true,
        httpOnly: true,
        sameSite: 'lax',
        secure,
        path: '/',
        maxAge: Math.max(0, Math.ceil((expiresAt - now.getTime()) / 1000)),
      })
      return session
    },
    async end(request, reply) {
      const value = cookieValue(request)
      const keys = value === undefined ? undefined : sessionKeys(value)
      if (keys !== undefined) await store.delete(keys.storeId)
      reply.clearCookie(cookieName, { path: '/', secure, httpOnly: true, sameSite: 'lax' })
    },
  }
}

/**
 * The default store, closed with the app. Its module (and with it the database driver) is loaded
 * only here, when it is used: an API without sessions, or with a store of its own, never loads one.
 */
async function openDatabaseStore(app: FastifyInstance, databaseUrl: string): Promise<SessionStore> {
  const { databaseSessionStore } = await import('./databaseSessionStore.ts')
  const store = await databaseSessionStore(databaseUrl)
  app.addHook('onClose', () => store.close())
  return store
}
