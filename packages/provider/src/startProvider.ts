import type { FastifyInstance } from 'fastify'
import type { ProviderConfig } from './config.ts'
import { createProviderServer } from './createProviderServer.ts'

/**
 * Starts the provider listening on the configured port and host, and returns the running server;
 * closing it finishes the requests in flight (the CLI and `npm start` close it on Ctrl-C).
 */
export async function startProvider(config: ProviderConfig): Promise<FastifyInstance> {
  const app = await createProviderServer(config)
  await app.listen({ port: config.port, host: config.host })
  app.log.info(
    `passkey-id provider ready at ${config.publicUrl} (discovery: ${config.publicUrl}/.well-known/openid-configuration)`,
  )
  return app
}
