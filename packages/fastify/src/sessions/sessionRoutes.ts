import type { FastifyInstance, onRequestHookHandler } from 'fastify'
import { IssuerUnavailableError } from '../IssuerClient.ts'
import { replyIssuerUnavailable } from '../issuerUnavailable.ts'
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
      if (request.user === null || request.headers.authorization === undefined) {
        return reply.code(400).send({
          error: 'invalid_request',
          message: 'Send the access token (Authorization: Bearer <token>) to start a session.',
        })
      }
      try {
        const session = await sessions.start(reply, request.user)
        return reply.code(201).send(describe(session))
      } catch (error) {
        if (!(error instanceof IssuerUnavailableError)) throw error
        return replyIssuerUnavailable(request, reply, error, 'start a session')
      }
    },
  )

  app.get(
    url,
    { onRequest: authenticate, schema: { summary: 'Who is signed in' } },
    async (request) => (request.user === null ? null : describe(request.user)),
  )

  app.delete(url, { schema: { summary: 'Sign out: end the session' } }, async (request, reply) => {
    if (sessions.isCrossSite(request)) {
      return reply.code(403).send({
        error: 'cross_site_request',
        message: "Signing out must come from this app's own pages.",
      })
    }
    await sessions.end(request, reply)
    return reply.code(204).send()
  })
}
