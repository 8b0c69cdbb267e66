import { passkeyId } from '@passkey-id/fastify'
import Fastify, { type FastifyServerOptions } from 'fastify'

/**
 * The seed's FastAPI app in TypeScript: docs whose Authorize button signs in with a passkey, and
 * `GET /userinfo`, which returns the signed-in person's profile from the provider.
 */
export async function buildDemo(options: {
  issuer: string
  appUrl: string
  logger?: FastifyServerOptions['logger']
}) {
  const app = Fastify({ logger: options.logger ?? false })
  await app.register(passkeyId, {
    issuer: options.issuer,
    appUrl: options.appUrl,
    docs: { title: 'passkey-id demo' },
  })

  app.get('/userinfo', { onRequest: app.authenticate }, (request) => request.user?.userinfo())

  return app
}
