import { mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import { join } from 'node:path'
import { freePort } from '@passkey-id/testing/http'
import { startTsServer, type TsServer, type TsServerOptions } from './processes.ts'

/** A server with its address, its files removed when it stops. */
export interface Server extends TsServer {
  issuer: string
}

/** How a server of the benchmark is run. */
export type RunOptions = Pick<TsServerOptions, 'nodeFlags' | 'imports' | 'onStdoutLine'>

/** What a provider of the benchmark is given beyond its defaults. */
export interface BenchProviderOptions extends RunOptions {
  /** Its port; a free one when not given. */
  port?: number
  /** More variables: DATABASE_URL (else a new SQLite file), PUBLIC_URL (else its own address), ... */
  env?: Record<string, string>
}

/**
 * The provider from its CLI, logging warnings only, with its rate limits off: the benchmark signs the
 * same few accounts in hundreds of times a second from one address, which is what the limits are
 * there to refuse (RATE_LIMITS=off is meant for load tests). Without a DATABASE_URL in `env`, on a
 * new SQLite file, removed when it stops.
 */
export async function startBenchProvider(options: BenchProviderOptions = {}): Promise<Server> {
  const { port = await freePort(), env = {}, ...run } = options
  const dir =
    env.DATABASE_URL === undefined
      ? await mkdtemp(join(os.tmpdir(), 'passkey-id-bench-'))
      : undefined
  const server = await startTsServer('packages/provider/src/cli.ts', {
    ...run,
    env: {
      PORT: String(port),
      LOG_LEVEL: 'warn',
      RATE_LIMITS: 'off',
      ...(dir === undefined ? {} : { DATABASE_URL: join(dir, 'provider.db') }),
      ...env,
    },
  })
  return {
    ...server,
    issuer: env.PUBLIC_URL ?? `http://localhost:${port}`,
    stop: async () => {
      await server.stop()
      if (dir !== undefined) await rm(dir, { recursive: true, force: true })
    },
  }
}
