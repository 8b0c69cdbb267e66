import type { FastifyReply, FastifyRequest } from 'fastify'
import type { IssuerUnavailableError } from './IssuerClient.ts'

/**
 * Answers a request the API cannot serve because the provider is down or hangs: 503 with a
 * Retry-After and the reason, logged once at warn (it is the operator's problem, not the client's).
 */
export function replyIssuerUnavailable(
  request: FastifyRequest,
  reply: FastifyReply,
  error: IssuerUnavailableError,
  what: string,
): FastifyReply {
  request.log.warn({ reason: error.message }, `${what} failed: provider unavailable`)
  return reply
    .code(503)
    .header('retry-after', '5')
    .send({
      error: 'temporarily_unavailable',
      message: `Cannot ${what}: ${error.message}. Try again shortly.`,
    })
}
