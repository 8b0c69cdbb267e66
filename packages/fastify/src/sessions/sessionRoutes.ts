import type { FastifyInstance, onRequestHookHandler } from 'fastify'
import { refuse } from '../refuse.ts'
import { replyIssuerUnavailable } from '../replyIssuerUnavailable.ts'
import { bearerToken } from '../tokens/bearerToken.ts'
import { IssuerUnavailableError } from '../tokens/IssuerUnavailableError.ts'
import type { CookieSessions } from './cookieSessions.ts'

/**
 * `POST /session` trades a valid bearer token for a session cookie, `GET /session` says who is signed
 * in (by token or cookie), `DELETE /session` signs out. This is the "normal user session" the seed
 * leaves to the reader: after it, the browser needs no token and the API no provider round trip.
 */
export function sessionRoutes(
  app: FastifyInstance,
  sessions: CookieSessions,
  authenticate: onRequestHookHandler,
): void {
  const url = sessions.routePrefix
  const describe = (user: { sub: string; scopes: string[]; expiresAt: Date | undefined }) => ({
    sub: user.sub,
    scopes: user.scopes,
    expiresAt: user.expiresAt?.toISOString() ?? null,
  })

  app.post(
    url,
    { onRequest: authenticate, schema: { summary: 'Start a session from the access token' } },
    async (request, reply) => {
      const header = bearerToken(request.headers.authorization)
      if (request.user === null || header.kind !== 'token')
        return refuse(reply, 'sessionNeedsToken', undefined)
      try {
        const session = await sessions.start(reply, request.user, header.token)
        return reply.code(201).send(describe(session))
      } catch (error) {
        if (!(error instanceof IssuerUnavailableError)) throw error
        return replyIssuerUnavailable(request, reply, error, 'session')
      }
    },
  )

  app.get(
    url,
    { onRequest: authenticate, schema: { summary: 'Who is signed in' } },
    async (request) => (request.user === null ? null : describe(request.user)),
  )

  app.delete(url, { schema: { summary: 'Sign out: end the session' } }, async (request, reply) => {
    if (sessions.isCrossSite(request)) return refuse(reply, 'crossSiteSignOut', undefined)
    await sessions.end(request, reply)
    return reply.code(204).send()
  })
}
