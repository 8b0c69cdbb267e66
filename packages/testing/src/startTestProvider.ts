import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createProviderServer, loadProviderConfig, type ProviderConfig } from '@passkey-id/provider'
import type { FastifyInstance } from 'fastify'
import { freePort } from './freePort.ts'

/** A provider running for a test on an ephemeral port, on a real SQLite file. */
export interface TestProvider {
  /** Its issuer, such as http://localhost:43121. */
  url: string
  app: FastifyInstance
  config: ProviderConfig
  /** Stops the server; keeps the database file for a restart with `restart`. */
  stop(): Promise<void>
  /** Starts a new server on the same port and database, as after a process restart. */
  restart(): Promise<TestProvider>
  /** Stops the server and deletes its database. */
  close(): Promise<void>
}

/**
 * Starts the provider on a free localhost port with its database in a new temporary folder.
 * `env` takes the same variables as the real CLI (PKCE_FOR_LOOPBACK, ACCESS_TOKEN_TTL, ...).
 */
export async function startTestProvider(
  env: Record<string, string> = {},
  folder?: string,
): Promise<TestProvider> {
  const dir = folder ?? (await mkdtemp(join(tmpdir(), 'passkey-id-test-')))
  const port = env.PORT === undefined ? await freePort() : Number(env.PORT)
  const config = loadProviderConfig({
    DATABASE_URL: join(dir, 'provider.db'),
    LOG_LEVEL: 'silent',
    ...env,
    PORT: String(port),
  })
  const app = await createProviderServer(config)
  await app.listen({ port, host: 'localhost' })
  const stop = () => app.close()
  return {
    url: config.publicUrl,
    app,
    config,
    stop,
    restart: async () => {
      await stop()
      return startTestProvider({ ...env, PORT: String(port) }, dir)
    },
    close: async () => {
      await stop()
      await rm(dir, { recursive: true, force: true })
    },
  }
}
