import { buildDemo } from '@passkey-id/demo'
import type { FastifyInstance } from 'fastify'
import { testDatabaseUrl } from './database/testDatabaseUrl.ts'
import { freePort } from './http/freePort.ts'
import type { TestProvider } from './provider/startTestProvider.ts'

/** The demo API running for a test, signing in through a test provider. */
export interface TestDemo {
  /** Its origin, such as http://localhost:43122: the client_id of its docs page. */
  url: string
  app: FastifyInstance
  /** Stops the demo and deletes its sessions' database. */
  close(): Promise<void>
}

/**
 * Starts the demo API on localhost (`port`, or a free one) against `provider`, with its sessions in
 * a database of their own (`testDatabaseUrl`: SQLite, or PostgreSQL when the suite runs there).
 */
export async function startTestDemo(provider: TestProvider, port?: number): Promise<TestDemo> {
  const listenOn = port ?? (await freePort())
  const url = `http://localhost:${listenOn}`
  const database = await testDatabaseUrl('demo')
  const app = await buildDemo({ issuer: provider.url, appUrl: url, databaseUrl: database.url })
  await app.listen({ port: listenOn, host: 'localhost' })
  return {
    url,
    app,
    close: async () => {
      await app.close()
      await database.drop()
    },
  }
}
