import { dirname, join } from 'node:path'
import { buildDemo } from '@passkey-id/demo'
import type { FastifyInstance } from 'fastify'
import { freePort } from './freePort.ts'
import type { TestProvider } from './startTestProvider.ts'

/** The demo API running for a test, signing in through a test provider. */
export interface TestDemo {
  /** Its origin, such as http://localhost:43122: the client_id of its docs page. */
  url: string
  app: FastifyInstance
  close(): Promise<void>
}

/**
 * Starts the demo API on localhost (`port`, or a free one) against `provider`, with its sessions in
 * the provider's temporary folder, so closing the provider deletes them too.
 */
export async function startTestDemo(provider: TestProvider, port?: number): Promise<TestDemo> {
  const listenOn = port ?? (await freePort())
  const url = `http://localhost:${listenOn}`
  const app = await buildDemo({
    issuer: provider.url,
    appUrl: url,
    databaseUrl: join(dirname(provider.config.databaseUrl), 'demo.db'),
  })
  await app.listen({ port: listenOn, host: 'localhost' })
  return { url, app, close: () => app.close() }
}
