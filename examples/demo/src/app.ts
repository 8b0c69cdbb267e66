import { passkeyId } from '@passkey-id/fastify'
import Fastify, { type FastifyServerOptions } from 'fastify'

/**
 * The seed's FastAPI app in TypeScript: docs whose Authorize button signs in with a passkey,
 * `GET /userinfo`, which returns the signed-in person's profile, and the session the seed leaves to
 * the reader (`POST`, `GET` and `DELETE /session`, from the plugin).
 */
export async function buildDemo(options: {
  issuer: string
  appUrl: string
  /** Where the API's sessions live (see `loadDemoConfig`). */
  databaseUrl: string
  logger?: FastifyServerOptions['logger']
}) {
  const app = Fastify({ logger: options.logger ?? false })
  await app.register(passkeyId, {
    issuer: options.issuer,
    appUrl: options.appUrl,
    docs: { title: 'passkey-id demo' },
    sessions: { databaseUrl: options.databaseUrl },
  })

  app.get('/userinfo', { onRequest: app.authenticate }, (request) => request.user?.userinfo())

  return app
}
