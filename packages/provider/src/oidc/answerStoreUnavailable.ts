import { isStoreUnavailable } from '@passkey-id/store'
import type Provider from 'oidc-provider'
import { ProviderError } from '../errors/ProviderError.ts'
import { answerProtocolRefusal } from '../ui/answerProtocolRefusal.ts'

type ProviderMiddleware = Parameters<Provider['use']>[0]

/**
 * oidc-provider answers any failure of its storage adapter as `server_error`, a 500 that tells a
 * client nothing it can act on. When the failure is the database being unavailable (the store's
 * `isStoreUnavailable`: down, restarting, out of connections), this answers instead with the
 * catalogue's `store_unavailable`: 503 with `Retry-After`, as a page or as JSON by the one rule of
 * `answerProtocolRefusal` (JSON also carries OAuth's `error_description` for token-endpoint clients).
 *
 * oidc-provider catches the error in each endpoint's own error handler and only reports it, with the
 * request's context, in its `server_error` event: the event marks the request, and this middleware,
 * around every endpoint, rewrites the answer once the endpoint is done. An error that escapes the
 * endpoints (in a middleware of ours) is caught here too.
 */
export function answerStoreUnavailable(provider: Provider): ProviderMiddleware {
  const unavailable = new WeakSet<object>()
  provider.on('server_error', (ctx, error) => {
    if (isStoreUnavailable(error)) unavailable.add(ctx)
  })
  return async (ctx, next) => {
    try {
      await next()
    } catch (error) {
      if (!isStoreUnavailable(error)) throw error
      unavailable.add(ctx)
    }
    if (unavailable.has(ctx)) answerProtocolRefusal(ctx, new ProviderError('store_unavailable'))
  }
}
