import { passkeyId } from '@passkey-id/fastify'
import { boundedFastify } from '@passkey-id/runtime/server'
import type { FastifyServerOptions } from 'fastify'

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
  // Bounded time and connections, as the plugin's README advises every API. The demo's routes take
  // no body; 16 KiB leaves room for an API's small JSON bodies.
  const app = boundedFastify({ bodyLimit: 16 * 1024, logger: options.logger ?? false })
  await app.register(passkeyId, {
    issuer: options.issuer,
    appUrl: options.appUrl,
    docs: { title: 'passkey-id demo' },
    sessions: { databaseUrl: options.databaseUrl },
  })

  app.get('/userinfo', { onRequest: app.authenticate }, (request) => request.user?.userinfo())

  return app
}
