import type { FastifyRequest } from 'fastify'

/**
 * Pino serializers that keep secrets out of request logs: the query string is dropped (OAuth
 * redirects carry authorization codes and state in it) and no header is logged (bearer tokens,
 * cookies). Use as `Fastify({ logger: { serializers: safeLogSerializers } })`.
 */
export const safeLogSerializers = {
  req(request: FastifyRequest) {
    return {
      method: request.method,
      url: request.url.split('?')[0],
      remoteAddress: request.ip,
    }
  },
}
