import type { FastifyReply, FastifyRequest } from 'fastify'
import { refuse, type UnavailableAction } from './refuse.ts'
import type { IssuerUnavailableError } from './tokens/IssuerUnavailableError.ts'

/**
 * Answers a request the API cannot serve because the provider is down or hangs: 503 with a
 * Retry-After. The reason is logged once at warn, for the operator (it is their problem, not the
 * client's); the app reads only that the provider is unavailable.
 */
export function replyIssuerUnavailable(
  request: FastifyRequest,
  reply: FastifyReply,
  error: IssuerUnavailableError,
  action: UnavailableAction,
): FastifyReply {
  request.log.warn({ action, reason: error.message }, 'sign-in provider unavailable')
  return refuse(reply, 'issuerUnavailable', { action, issuer: error.issuer })
}
