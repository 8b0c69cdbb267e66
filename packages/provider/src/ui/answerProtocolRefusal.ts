import type { ParameterizedContext } from 'koa'
import type { ProviderError } from '../errors/ProviderError.ts'
import { errorResponse } from './errorResponse.ts'

/**
 * Answers a refusal inside oidc-provider's endpoints (a Koa context) by the one page-or-JSON rule
 * of `errorResponse`, `no-store`, with its `Retry-After` when temporary; JSON also carries OAuth's
 * `error_description`, which token-endpoint clients read.
 */
export function answerProtocolRefusal(ctx: ParameterizedContext, error: ProviderError): void {
  const answer = errorResponse(error, ctx.get('accept') || undefined)
  ctx.status = answer.status
  ctx.set(answer.headers)
  ctx.set('cache-control', 'no-store')
  if ('html' in answer) {
    ctx.type = 'html'
    ctx.body = answer.html
  } else ctx.body = { ...answer.json, error_description: answer.json.message }
}
