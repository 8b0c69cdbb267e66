import { createProviderServer, loadProviderConfig, type ProviderConfig } from '@passkey-id/provider'
import type { FastifyInstance } from 'fastify'
import { type TestDatabase, testDatabaseUrl } from '../database/testDatabaseUrl.ts'
import { freePort } from '../http/freePort.ts'

/** What `createProviderServer` takes besides the configuration. */
type ProviderServerOptions = NonNullable<Parameters<typeof createProviderServer>[1]>

/**
 * A provider running for a test on an ephemeral port, on a database of its own: a real SQLite file,
 * or a schema of its own on PostgreSQL when the suite runs there (`testDatabaseUrl`).
 */
export interface TestProvider {
  /** Its issuer, such as http://localhost:43121. */
  url: string
  app: FastifyInstance
  config: ProviderConfig
  /** Stops the server; keeps the database for a restart with `restart`. */
  stop(): Promise<void>
  /** Starts a new server on the same port and database, as after a process restart. */
  restart(): Promise<TestProvider>
  /** Stops the server and deletes its database. */
  close(): Promise<void>
}

/**
 * Starts the provider on a free localhost port with a new database of its own (`testDatabaseUrl`).
 * `env` takes the same variables as the real CLI (PKCE_FOR_LOOPBACK, ACCESS_TOKEN_TTL, ...);
 * `options.logger` replaces the silent logger, for a test that reads what the provider logs;
 * `options.now` is the clock of email verification codes, for a test that moves time;
 * `options.passkeyProviders` replaces the shipped passkey provider list (`TEST_PASSKEY_PROVIDER_LIST`).
 */
export async function startTestProvider(
  env: Record<string, string> = {},
  database?: TestDatabase,
  options: ProviderServerOptions = {},
): Promise<TestProvider> {
  const db = database ?? (await testDatabaseUrl('provider'))
  const port = env.PORT === undefined ? await freePort() : Number(env.PORT)
  const config = loadProviderConfig({
    DATABASE_URL: db.url,
    LOG_LEVEL: 'silent',
    ...env,
    PORT: String(port),
  })
  const app = await createProviderServer(config, options).catch(async (error: unknown) => {
    if (database === undefined) await db.drop()
    throw error
  })
  await app.listen({ port, host: 'localhost' })
  const stop = () => app.close()
  return {
    url: config.publicUrl,
    app,
    config,
    stop,
    restart: async () => {
      await stop()
      return startTestProvider({ ...env, PORT: String(port) }, db, options)
    },
    close: async () => {
      await stop()
      await db.drop()
    },
  }
}
