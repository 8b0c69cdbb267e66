import type { FastifyInstance, onRequestHookHandler } from 'fastify'
import fastifyPlugin from 'fastify-plugin'
import { createAuthenticator, ROUTE_SCOPES } from './authentication/createAuthenticator.ts'
import { authenticates, protectRoute } from './authentication/protectRoute.ts'
import { registerDocs } from './docs/registerDocs.ts'
import { healthRoutes } from './health/healthRoutes.ts'
import { type PasskeyIdOptions, resolveOptions } from './resolveOptions.ts'
import { cookieSessions } from './sessions/cookieSessions.ts'
import { type SessionManager, sessionManager } from './sessions/sessionManager.ts'
import { sessionRoutes } from './sessions/sessionRoutes.ts'
import { IssuerClient } from './tokens/IssuerClient.ts'
import { TokenVerifier, type VerifiedToken } from './tokens/TokenVerifier.ts'

/** The person behind a request that carried a valid access token (`request.user`). */
export type AuthenticatedUser = VerifiedToken

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Scopes a token needs for this route (all of them); shown in the route's OpenAPI security. */
    scopes?: string[]
  }
  interface FastifyInstance {
    /** Hook (onRequest or preHandler) that lets a request through only with a valid bearer token. */
    authenticate: onRequestHookHandler
    /** The API's sessions per person (with the `sessions` option): list them, or end them all. */
    sessions: SessionManager
  }
  interface FastifyRequest {
    /** The signed-in person; set by `authenticate`, null on routes without it. */
    user: AuthenticatedUser | null
  }
}

/**
 * Passkey (OpenID Connect) sign-in for a Fastify API: declares the `openIdConnect` security scheme,
 * serves Swagger UI whose Authorize button signs in with PKCE (client_id = the app's origin), and
 * decorates `fastify.authenticate`, which answers 401 with `WWW-Authenticate: Bearer` (RFC 6750)
 * unless the request carries a token the provider confirms, and sets `request.user`. It only wires
 * the parts together: each has its own file.
 */
async function passkeyIdPlugin(app: FastifyInstance, options: PasskeyIdOptions): Promise<void> {
  const settings = resolveOptions(options)
  const issuer = new IssuerClient(settings.issuer, settings.clientId, settings.timeoutSeconds)
  const verifier = new TokenVerifier(issuer, settings.verification)
  const sessions =
    settings.sessions === false
      ? undefined
      : await cookieSessions(app, settings.appUrl, settings.sessions, verifier)
  const authenticator = createAuthenticator({ verifier, sessions, appUrl: settings.appUrl })

  app.decorate<onRequestHookHandler>(
    'authenticate',
    Object.assign(authenticator.authenticate, { [authenticates]: true }),
  )
  app.decorate<SessionManager>('sessions', sessionManager(sessions))
  app.decorateRequest<AuthenticatedUser | null>('user', null)
  app.decorateRequest<readonly string[] | null>(ROUTE_SCOPES, null)
  app.addHook('onRoute', (route) => protectRoute(route, authenticator))

  if (sessions !== undefined) sessionRoutes(app, sessions, authenticator.authenticate)
  if (settings.health) healthRoutes(app, { issuer, sessions: sessions?.store })
  if (settings.docs !== false) await registerDocs(app, { ...settings, docs: settings.docs })
}

/** The plugin; register it once, before the routes it protects. */
export const passkeyId = fastifyPlugin(passkeyIdPlugin, {
  fastify: '5.x',
  name: '@passkey-id/fastify',
})
