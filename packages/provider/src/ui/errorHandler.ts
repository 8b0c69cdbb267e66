import type { FastifyReply, FastifyRequest } from 'fastify'
import { asProviderError } from '../errors/asProviderError.ts'
import { type ErrorScreen, errorResponse } from './errorResponse.ts'

/**
 * The provider's Fastify error handler, for the whole server (`screen` omitted) or for one screen's
 * routes (the sign-in page, the account page), whose refusals keep that screen's title and link.
 * Every error becomes a refusal of the catalogue (see `asProviderError`) and is answered as a page
 * or as JSON by `errorResponse`. A server error is logged as such, a database that cannot answer
 * (503, to retry) as a warning; a refusal caused by a library's error (a passkey SimpleWebAuthn
 * refused, a body Fastify could not parse) logs that error, whose wording no person reads.
 */
export function errorHandler(screen?: ErrorScreen) {
  return (thrown: Error, request: FastifyRequest, reply: FastifyReply) => {
    const error = asProviderError(thrown)
    if (error.code === 'store_unavailable')
      request.log.warn({ err: error.cause }, 'request refused: database unavailable')
    else if (error.statusCode >= 500)
      request.log.error({ err: error.cause ?? thrown }, 'request failed')
    else if (error.cause !== undefined)
      request.log.info({ err: error.cause, refusal: error.code }, 'request refused')
    const answer = errorResponse(error, request.headers.accept, screen)
    reply.code(answer.status).headers(answer.headers)
    if ('html' in answer) return reply.type('text/html; charset=utf-8').send(answer.html)
    return reply.send(answer.json)
  }
}
