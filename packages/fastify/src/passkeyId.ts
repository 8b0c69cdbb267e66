import swagger from '@fastify/swagger'
import swaggerUi from '@fastify/swagger-ui'
import type {
  FastifyInstance,
  FastifyReply,
  FastifyRequest,
  HookHandlerDoneFunction,
  onRequestHookHandler,
} from 'fastify'
import fastifyPlugin from 'fastify-plugin'
import { type BearerToken, bearerToken } from './bearerToken.ts'
import { IssuerClient, IssuerUnavailableError } from './IssuerClient.ts'
import { replyIssuerUnavailable } from './issuerUnavailable.ts'
import { preselectRouteScopes } from './preselectRouteScopes.ts'
import { cookieSessions, type SessionOptions } from './sessions/cookieSessions.ts'
import type { ApiSession } from './sessions/SessionStore.ts'
import { sessionRoutes } from './sessions/sessionRoutes.ts'
import { TokenVerifier, type VerifiedToken } from './TokenVerifier.ts'

/** The person behind a request that carried a valid access token (`request.user`). */
export type AuthenticatedUser = VerifiedToken

/** Options of the `passkeyId` plugin. */
export interface PasskeyIdOptions {
  /** The OpenID provider's issuer URL, such as http://localhost:8080 or https://api.passwordless.id. */
  issuer: string
  /** This API's public origin, as people open it; with Passwordless.ID-style providers it is the client_id. */
  appUrl: string
  /** The client_id, when the provider registered one (Google, Keycloak); default `appUrl`. */
  clientId?: string
  /** Serve the OpenAPI docs with a working Authorize button (default `{ routePrefix: '/docs' }`), or not. */
  docs?: false | { routePrefix?: string; title?: string; version?: string; description?: string }
  /** Scopes preselected in the docs' sign-in dialog (default `openid avatar email`), besides those routes need. */
  scopes?: string[]
  /** Timeout of each call to the provider, in seconds (default 5). */
  timeoutSeconds?: number
  /** The `aud` that JWT access tokens must carry (default `clientId`). */
  audience?: string
  /** A token the provider confirmed is trusted this long before asking again, in seconds (default 60): the most a revoked token keeps working. */
  revalidateAfterSeconds?: number
  /** How many verified tokens are remembered (default 10,000). */
  cacheSize?: number
  /** Clock skew tolerated on a JWT's `exp` and `nbf`, in seconds (default 30). */
  clockToleranceSeconds?: number
  /** The API's own cookie sessions (`POST`/`GET`/`DELETE /session`), off by default. */
  sessions?: boolean | SessionOptions
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Scopes a token needs for this route (all of them); shown in the route's OpenAPI security. */
    scopes?: string[]
  }
  interface FastifyInstance {
    /** Hook (onRequest or preHandler) that lets a request through only with a valid bearer token. */
    authenticate: onRequestHookHandler
    /** The API's sessions per person (with the `sessions` option): list them, or end them all. */
    sessions: { list(sub: string): Promise<ApiSession[]>; endAll(sub: string): Promise<number> }
  }
  interface FastifyRequest {
    /** The signed-in person; set by `authenticate`, null on routes without it. */
    user: AuthenticatedUser | null
  }
}

const SECURITY_SCHEME = 'openIdConnect'

/** An onRequest (or preHandler) hook in callback style, which needs no `this`. */
type AuthenticateHook = (
  request: FastifyRequest,
  reply: FastifyReply,
  done: HookHandlerDoneFunction,
) => void

/**
 * Passkey (OpenID Connect) sign-in for a Fastify API: declares the `openIdConnect` security scheme,
 * serves Swagger UI whose Authorize button signs in with PKCE (client_id = the app's origin), and
 * decorates `fastify.authenticate`, which answers 401 with `WWW-Authenticate: Bearer` (RFC 6750)
 * unless the request carries a token the provider confirms, and sets `request.user`.
 */
async function passkeyIdPlugin(app: FastifyInstance, options: PasskeyIdOptions): Promise<void> {
  const issuer = options.issuer.replace(/\/+$/, '')
  const appUrl = new URL(options.appUrl).origin
  const clientId = options.clientId ?? appUrl
  const realm = `Bearer realm="${appUrl}"`
  const issuerClient = new IssuerClient(issuer, clientId, options.timeoutSeconds ?? 5)
  const verifier = new TokenVerifier(issuerClient, {
    audience: options.audience ?? clientId,
    clockToleranceSeconds: options.clockToleranceSeconds ?? 30,
    revalidateAfterSeconds: options.revalidateAfterSeconds ?? 60,
    cacheSize: options.cacheSize ?? 10_000,
  })

  const refuse = (
    reply: FastifyReply,
    status: 400 | 401 | 403,
    error: string,
    description: string,
    scope?: string,
  ) =>
    reply
      .code(status)
      .header(
        'www-authenticate',
        `${realm}, error="${error}", error_description="${description.replaceAll('"', "'")}"${scope === undefined ? '' : `, scope="${scope}"`}`,
      )
      .send({ error, message: description })

  const sessions =
    options.sessions === undefined || options.sessions === false
      ? undefined
      : await cookieSessions(app, appUrl, options.sessions === true ? {} : options.sessions)

  /** Lets `user` through if they hold the `required` scopes (true); answers 403 otherwise (false). */
  const admit = (
    request: FastifyRequest,
    reply: FastifyReply,
    user: VerifiedToken,
    required: readonly string[],
  ): boolean => {
    const missing = required.filter((scope) => !user.scopes.includes(scope))
    if (missing.length > 0) {
      refuse(
        reply,
        403,
        'insufficient_scope',
        `This route needs the scope ${missing.join(' ')}; sign in again and grant it.`,
        required.join(' '),
      )
      return false
    }
    request.user = user
    return true
  }

  /** Everything but a cached token: sessions, refusals, and asking the issuer. True if admitted. */
  const check = async (
    request: FastifyRequest,
    reply: FastifyReply,
    header: BearerToken,
    required: readonly string[],
  ): Promise<boolean> => {
    if (header.kind === 'missing') {
      const session =
        sessions === undefined ? { kind: 'none' as const } : await sessions.lookup(request)
      if (session.kind === 'session') return admit(request, reply, session.user, required)
      if (session.kind === 'cross-site') {
        // The cookie cannot be used from there; a bearer token could (browsers never add one).
        reply.code(403).header('www-authenticate', realm).send({
          error: 'cross_site_request',
          message: "A request signed in by the session cookie must come from this app's own pages.",
        })
        return false
      }
      reply.code(401).header('www-authenticate', realm).send({
        error: 'unauthorized',
        message: 'Sign in first: this route needs an access token (Authorization: Bearer <token>).',
      })
      return false
    }
    if (header.kind === 'malformed') {
      refuse(reply, 400, 'invalid_request', `Malformed Authorization header: ${header.reason}.`)
      return false
    }
    try {
      const verdict = await verifier.verify(header.token)
      if (verdict.valid) return admit(request, reply, verdict.token, required)
      refuse(
        reply,
        401,
        'invalid_token',
        `The access token was refused (${verdict.reason}); sign in again.`,
      )
      return false
    } catch (error) {
      if (!(error instanceof IssuerUnavailableError)) throw error
      replyIssuerUnavailable(request, reply, error, 'check the access token')
      return false
    }
  }

  /**
   * The hook for a route needing `required` scopes. A token verified before is admitted without a
   * promise or an await (this is the path nearly every request takes, so it is kept synchronous);
   * anything else goes through `check`. A hook that replies does not call `done`.
   */
  const authenticateWith =
    (required: readonly string[]): AuthenticateHook =>
    (request, reply, done) => {
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

  // The decorated hook reads the route's scopes per request; on routes it is replaced (see onRoute)
  // by one made for the route's scopes, which spares building `request.routeOptions` every time.
  const authenticate: AuthenticateHook = (request, reply, done) =>
    authenticateWith(request.routeOptions.config.scopes ?? [])(request, reply, done)

  app.decorate('authenticate', authenticate)
  app.decorateRequest('user', null)
  app.addHook('onRoute', (route) => {
    const scopes = route.config?.scopes ?? []
    let protectedRoute = false
    const specialise = <Hook>(hooks: Hook | Hook[] | undefined): Hook | Hook[] | undefined => {
      if (!Array.isArray(hooks)) {
        if (hooks !== (authenticate as unknown)) return hooks
        protectedRoute = true
        return authenticateWith(scopes) as Hook
      }
      return hooks.map((hook) => specialise(hook) as Hook)
    }
    route.onRequest = specialise(route.onRequest)
    route.preHandler = specialise(route.preHandler)
    if (!protectedRoute) return
    route.schema = { ...route.schema, security: [{ [SECURITY_SCHEME]: scopes }] }
  })
  if (sessions !== undefined) {
    app.decorate('sessions', {
      list: (sub: string) => sessions.store.listBySubject(sub),
      endAll: (sub: string) => sessions.store.deleteBySubject(sub),
    })
    sessionRoutes(app, sessions, authenticate)
  }

  if (options.docs === false) return
  const docs = options.docs ?? {}
  await app.register(swagger, {
    openapi: {
      info: {
        title: docs.title ?? 'API',
        version: docs.version ?? '0.1.0',
        description: docs.description,
      },
      components: {
        securitySchemes: {
          [SECURITY_SCHEME]: {
            type: 'openIdConnect',
            openIdConnectUrl: `${issuer}/.well-known/openid-configuration`,
          },
        },
      },
    },
  })
  await app.register(swaggerUi, {
    routePrefix: docs.routePrefix ?? '/docs',
    // Swagger UI's top bar injects an inline <style> for its logo, which the strict CSP below refuses;
    // the base layout has everything else (the Authorize button, the operations) without it.
    uiConfig: { layout: 'BaseLayout', onComplete: preselectRouteScopes },
    initOAuth: {
      clientId,
      usePkceWithAuthorizationCodeGrant: true,
      scopes: (options.scopes ?? ['openid', 'avatar', 'email']).join(' '),
    },
    staticCSP: `default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'self' ${new URL(issuer).origin}; base-uri 'none'; form-action 'self'; frame-ancestors 'none'`,
    uiHooks: {
      onRequest: async (_request, reply) => {
        reply.header('referrer-policy', 'no-referrer').header('x-content-type-options', 'nosniff')
      },
    },
  })
}

/** The plugin; register it once, before the routes it protects. */
export const passkeyId = fastifyPlugin(passkeyIdPlugin, {
  fastify: '5.x',
  name: '@passkey-id/fastify',
})
