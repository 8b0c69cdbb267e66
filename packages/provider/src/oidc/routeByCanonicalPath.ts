import type Provider from 'oidc-provider'

type ProviderMiddleware = Parameters<Provider['use']>[0]

/**
 * Rewrites each spelling of an endpoint's path that oidc-provider's router would match to the path
 * as configured, so that every check in front of the router (the account page's request, bare token
 * requests, parameter sizes, rate limits) sees the endpoint the router will run.
 *
 * The router folds letters to one case and ignores one trailing slash: `/openid/Authorize` and
 * `/openid/authorize/` reach the authorization endpoint, while a check comparing `ctx.path` with
 * `/openid/authorize` let them through unchecked (a request as the account page's client with any
 * scope and response mode, a 5 KB `state` stored).
 */
export function routeByCanonicalPath(paths: readonly string[]): ProviderMiddleware {
  const byFolded = new Map(paths.map((path) => [path.toUpperCase(), path]))
  return async (ctx, next) => {
    const folded = ctx.path.toUpperCase()
    const canonical =
      byFolded.get(folded) ?? (folded.endsWith('/') ? byFolded.get(folded.slice(0, -1)) : undefined)
    if (canonical !== undefined && canonical !== ctx.path) ctx.path = canonical
    await next()
  }
}
