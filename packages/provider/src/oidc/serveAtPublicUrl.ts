import type Provider from 'oidc-provider'

type ProviderMiddleware = Parameters<Provider['use']>[0]

/**
 * Makes every URL oidc-provider writes (discovery's endpoints, the sign-out form's action, the
 * interaction and resume redirects) start with PUBLIC_URL, whatever the request's `Host` or
 * `X-Forwarded-Host` and `X-Forwarded-Proto` say.
 *
 * oidc-provider builds its URLs from Koa's `ctx.href`, that is from those headers: a request with
 * `Host: evil.example.com` got discovery pointing at evil.example.com, which a shared cache or a
 * catch-all virtual host would then serve to everyone. Nothing is refused for its `Host` (load
 * balancers probe instances by address); the request is only answered as if sent to PUBLIC_URL.
 * The scheme follows too, so cookies are `Secure` when PUBLIC_URL is https, behind a proxy that
 * ends TLS as well.
 */
export function serveAtPublicUrl(issuer: string): ProviderMiddleware {
  const { protocol, host, origin } = new URL(issuer)
  const scheme = protocol.slice(0, -1)
  return async (ctx, next) => {
    Object.defineProperties(ctx.request, {
      protocol: { value: scheme },
      host: { value: host },
      // Koa's href takes an absolute-form request target (`GET http://evil.example.com/...`) as is.
      href: {
        get(this: { originalUrl: string }) {
          const { pathname, search } = new URL(this.originalUrl, origin)
          return `${origin}${pathname}${search}`
        },
      },
    })
    await next()
  }
}
