import type { IncomingMessage } from 'node:http'
import rateLimit, { type FastifyRateLimitStore } from '@fastify/rate-limit'
import type { FastifyInstance, FastifyRequest, RouteOptions } from 'fastify'
import type Provider from 'oidc-provider'
import { ProviderError } from '../errors/ProviderError.ts'
import { answerProtocolRefusal } from '../ui/answerProtocolRefusal.ts'
import type { CounterStore } from './CounterStore.ts'
import { clientKey } from './clientKey.ts'
import type { Limiter } from './createLimiter.ts'
import { LIMITS, type LimitName } from './limitTable.ts'

/** oidc-provider's paths that the limits watch (its `routes`, under the mount). */
export interface ProtocolPaths {
  authorization: string
  token: string
  introspection: string
  revocation: string
}

/** Which Fastify route each route limit watches: POST routes, by URL as declared. */
const ROUTE_LIMITS: { url: (url: string) => boolean; limit: LimitName }[] = [
  { url: (url) => url === '/interaction/:uid/sign-up', limit: 'signUps' },
  { url: (url) => url === '/interaction/:uid/sign-up/options', limit: 'usernameLookUps' },
  { url: (url) => url === '/interaction/:uid/sign-in', limit: 'failedSignIns' },
  { url: (url) => url.startsWith('/account/'), limit: 'accountForms' },
]

/** Whether a redirect sends the browser to a sign-in or consent page of the provider. */
const TO_INTERACTION = /^(?:https?:\/\/[^/]+)?\/interaction\//

/**
 * Puts the limits of `LIMITS` on the server, before its routes are registered:
 *
 * - limits that count every request (sign-ups, username look-ups, account-page forms) through
 *   @fastify/rate-limit, on the routes of `ROUTE_LIMITS`, over the shared counter store;
 * - failed passkey sign-ins with `limiter` around their route (checked on arrival, counted when the
 *   answer is a 4xx);
 * - inside oidc-provider (a Koa middleware): failed code redemptions at the token endpoint, unknown
 *   tokens at introspection and revocation, and authorizations left unfinished (+1 for each that
 *   sends the browser to /interaction/, -1 for each that resumes from there).
 *
 * Routes marked `config.exemptFromRateLimit` (the health probes) are never limited. A refusal is the
 * catalogue's `rate_limited`: 429 with `Retry-After`, a page for a browser and JSON for an app.
 */
export async function applyRateLimits(
  app: FastifyInstance,
  oidc: Provider,
  limiter: Limiter,
  paths: ProtocolPaths,
): Promise<void> {
  if (!limiter.enabled) return
  const keys = new WeakMap<IncomingMessage, string>()
  // By the route Fastify matched, not the raw target: an absolute-form target
  // (`POST http://any.host/openid/token`) reaches oidc-provider too.
  app.addHook('onRequest', async (request) => {
    if (request.routeOptions.url?.startsWith('/openid/')) keys.set(request.raw, clientKey(request))
  })
  app.addHook('onRoute', (route) => limitRoute(route, limiter))
  await app.register(rateLimit, {
    global: false,
    store: routeStore(limiter.store),
    // The counter stores never throw (see failOpen); should one, the request goes on.
    skipOnError: true,
    allowList: (request) => request.routeOptions.config.exemptFromRateLimit === true,
    errorResponseBuilder: (_request, context) =>
      new ProviderError('rate_limited', {
        retryAfterSeconds: Math.max(1, Math.ceil(context.ttl / 1000)),
      }),
  })

  // Paths as configured: oidc-provider's own first middleware (oidc/routeByCanonicalPath) rewrote
  // any other spelling the router matches (`/openid/Token`, `/openid/token/`) to them.
  const watched: Record<string, LimitName> = {
    [paths.authorization]: 'unfinishedAuthorizations',
    [paths.token]: 'failedCodeRedemptions',
    [paths.introspection]: 'unknownTokens',
    [paths.revocation]: 'unknownTokens',
  }
  oidc.use(async (ctx, next) => {
    const key = keys.get(ctx.req)
    if (key === undefined) return next()
    const limit = watched[ctx.path]
    let end = () => {}
    if (limit !== undefined) {
      try {
        end = limiter.begin(limit, key)
      } catch (error) {
        if (!(error instanceof ProviderError)) throw error
        return answerProtocolRefusal(ctx, error)
      }
    }
    try {
      await next()
      await countOutcome(ctx, key)
    } finally {
      end()
    }
  })

  /** What the endpoint's answer counts for (see `LIMITS`), once it is known. */
  async function countOutcome(ctx: ProtocolContext, key: string): Promise<void> {
    const route = ctx.oidc?.route
    if (route === 'token' && ctx.status >= 400 && ctx.status < 500)
      await limiter.count('failedCodeRedemptions', key)
    else if (route === 'introspection' && isUnknownTokenAnswer(ctx.status, ctx.body))
      await limiter.count('unknownTokens', key)
    else if (route === 'revocation' && isUnrevoked(ctx.oidc?.entities ?? {}))
      await limiter.count('unknownTokens', key)
    else if (route === 'authorization' || route === 'resume') {
      const toInteraction = TO_INTERACTION.test(String(ctx.response.get('location')))
      const by = (toInteraction ? 1 : 0) - (route === 'resume' && isRedirect(ctx.status) ? 1 : 0)
      if (by !== 0) await limiter.count('unfinishedAuthorizations', key, by)
    }
  }
}

/** A Koa context inside oidc-provider. */
type ProtocolContext = Parameters<Parameters<Provider['use']>[0]>[0]

function isRedirect(status: number): boolean {
  return status === 302 || status === 303
}

/** Introspection found nothing (`active: false`), or refused the request. */
function isUnknownTokenAnswer(status: number, body: unknown): boolean {
  if (status !== 200) return status >= 400 && status < 500
  return (
    typeof body === 'object' && body !== null && (body as { active?: unknown }).active === false
  )
}

/** Revocation answers 200 whatever it found (RFC 7009): it found a token when it named one. */
function isUnrevoked(entities: Record<string, unknown>): boolean {
  return !['AccessToken', 'RefreshToken', 'ClientCredentials'].some((kind) => kind in entities)
}

/** Adds the route's limit, if `ROUTE_LIMITS` names one for it (POST routes only). */
function limitRoute(route: RouteOptions, limiter: Limiter): void {
  const methods = Array.isArray(route.method) ? route.method : [route.method]
  if (!methods.includes('POST')) return
  const config = (route.config ?? {}) as NonNullable<RouteOptions['config']> & {
    rateLimit?: object
  }
  if (config.exemptFromRateLimit === true) return
  const limit = ROUTE_LIMITS.find((entry) => entry.url(route.url))?.limit
  if (limit === undefined) return
  const rule = LIMITS[limit]
  if (rule.counts === 'requests') {
    route.config = {
      ...config,
      rateLimit: {
        max: rule.max,
        timeWindow: rule.windowSeconds * 1000,
        keyGenerator: (request: FastifyRequest) => `${limit}:${clientKey(request)}`,
      },
    }
    return
  }
  const ends = new WeakMap<FastifyRequest, () => void>()
  route.onRequest = [
    ...toArray(route.onRequest),
    async (request: FastifyRequest) => {
      ends.set(request, limiter.begin(limit, clientKey(request)))
    },
  ]
  route.onResponse = [
    ...toArray(route.onResponse),
    async (request: FastifyRequest, reply: { statusCode: number }) => {
      const end = ends.get(request)
      if (end === undefined) return
      if (reply.statusCode >= 400 && reply.statusCode < 500 && reply.statusCode !== 429)
        await limiter.count(limit, clientKey(request))
      end()
    },
  ]
  route.onRequestAbort = [
    ...toArray(route.onRequestAbort),
    async (request: FastifyRequest) => ends.get(request)?.(),
  ]
}

function toArray<T>(value: T | T[] | undefined): T[] {
  if (value === undefined) return []
  return Array.isArray(value) ? value : [value]
}

/** The counter store as @fastify/rate-limit's store: one for all routes (keys name their limit). */
function routeStore(store: CounterStore) {
  return class RouteStore implements FastifyRateLimitStore {
    incr(
      key: string,
      callback: (error: Error | null, result?: { current: number; ttl: number }) => void,
      timeWindow: number,
    ): void {
      store.add(key, 1, timeWindow).then(
        ({ count, resetAt }) =>
          callback(null, { current: count, ttl: Math.max(0, resetAt - Date.now()) }),
        (error: Error) => callback(error),
      )
    }
    child(): FastifyRateLimitStore {
      return this
    }
  }
}
