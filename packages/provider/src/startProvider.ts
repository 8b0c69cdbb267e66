import type { FastifyInstance } from 'fastify'
import type { ProviderConfig } from './config.ts'
import { createProviderServer } from './createProviderServer.ts'

/**
 * Starts the provider and listens until SIGINT or SIGTERM, then closes it (finishing requests in
 * flight). Returns the running server.
 */
export async function startProvider(config: ProviderConfig): Promise<FastifyInstance> {
  const app = await createProviderServer(config)
  await app.listen({ port: config.port, host: config.host })
  app.log.info(
    `passkey-id provider ready at ${config.publicUrl} (discovery: ${config.publicUrl}/.well-known/openid-configuration)`,
  )
  return app
}
