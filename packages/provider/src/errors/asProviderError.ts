import { isStoreUnavailable } from '@passkey-id/store'
import { ProviderError } from './ProviderError.ts'

/**
 * Any error a request ended with, as a refusal of the catalogue. Fastify's own refusals (a body
 * too large, a content type no route takes, a body that is no JSON or fails the route's schema, an
 * error of oidc-provider's with a 4xx status) keep their meaning, and their wording goes to the
 * app's sentence and the log only. A database that cannot answer right now (down, restarting, out of
 * connections) is `store_unavailable`, a 503 to retry; anything else is a server error, with the
 * error as its cause.
 */
export function asProviderError(
  error: Error & { statusCode?: number; error_description?: string },
): ProviderError {
  if (error instanceof ProviderError) return error
  if (isStoreUnavailable(error)) return new ProviderError('store_unavailable', { cause: error })
  const status = error.statusCode ?? 500
  if (status === 413) return new ProviderError('request_too_large', { cause: error })
  if (status === 415) return new ProviderError('unsupported_content_type', { cause: error })
  if (status >= 400 && status < 500)
    return new ProviderError('malformed_request', {
      reason: error.error_description ?? error.message,
      cause: error,
    })
  return new ProviderError('server_error', { cause: error })
}
