import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type Provider from 'oidc-provider'

/**
 * Hands the protocol endpoints (discovery and everything under /openid/) to oidc-provider.
 *
 * The hand-over happens in `onRequest`, before Fastify reads the body: oidc-provider parses its own
 * form posts (token, introspection, logout), which Fastify 5 would refuse with 415.
 */
export function mountOidcProvider(app: FastifyInstance, provider: Provider): void {
  const handle = provider.callback()
  const forward = async (request: FastifyRequest, reply: FastifyReply) => {
    reply.hijack()
    await handle(request.raw, reply.raw)
  }
  for (const url of ['/.well-known/openid-configuration', '/openid/*']) {
    app.route({
      method: ['GET', 'HEAD', 'POST', 'OPTIONS'],
      url,
      onRequest: forward,
      handler: forward,
    })
  }
}
