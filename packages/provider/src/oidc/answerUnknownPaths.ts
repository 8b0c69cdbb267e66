import type Provider from 'oidc-provider'
import { ProviderError } from '../errors/ProviderError.ts'
import { errorResponse } from '../ui/errorResponse.ts'

type ProviderMiddleware = Parameters<Provider['use']>[0]

/**
 * Koa's default for a path or method oidc-provider does not serve is a bare "Not Found": this one
 * says where the endpoints are listed, as a page or as JSON by the one rule of `errorResponse`.
 */
export function answerUnknownPaths(): ProviderMiddleware {
  return async (ctx, next) => {
    await next()
    if (ctx.status !== 404 || ctx.body !== undefined) return
    const answer = errorResponse(
      new ProviderError('no_such_endpoint', { method: ctx.method, path: ctx.path }),
      ctx.get('accept') || undefined,
    )
    ctx.status = answer.status
    if ('html' in answer) {
      ctx.type = 'html'
      ctx.body = answer.html
    } else ctx.body = answer.json
  }
}
