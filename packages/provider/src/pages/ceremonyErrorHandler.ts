import type { FastifyReply, FastifyRequest } from 'fastify'
import { CeremonyError } from '../passkeys/CeremonyError.ts'
import type { SafeHtml } from './html.ts'
import { messagePage } from './messagePage.ts'

/**
 * A Fastify error handler for the provider's pages: a `CeremonyError` is answered as a page titled
 * `page.title` to a browser that opened a page or posted a form, and as JSON (with the field it is
 * about) to the pages' scripts. Any other error goes on to the server's own handler.
 */
export function ceremonyErrorHandler(page: { title: string; body?: SafeHtml }) {
  return (error: Error, request: FastifyRequest, reply: FastifyReply) => {
    if (!(error instanceof CeremonyError)) throw error
    reply.code(error.statusCode)
    const wantsPage =
      request.method === 'GET' ||
      request.headers['content-type']?.startsWith('application/x-www-form-urlencoded') === true
    if (wantsPage)
      return reply
        .type('text/html; charset=utf-8')
        .send(messagePage({ title: page.title, message: error.message, body: page.body }))
    return reply.send({ error: error.code, message: error.message, field: error.field })
  }
}
