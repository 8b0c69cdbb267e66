import { execFile } from 'node:child_process'
import { chown, mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { freePort } from '../http/freePort.ts'

const run = promisify(execFile)

/** Where the PostgreSQL 15 server binaries are (Debian's layout unless PASSKEY_ID_PG_BIN says). */
const DEFAULT_BIN = '/usr/lib/postgresql/15/bin'

/** The longest a start or stop of the cluster may take. */
const PG_CTL_TIMEOUT_SECONDS = 30

/** A PostgreSQL cluster of one test's own, which the test may stop and start again. */
export interface PrivatePostgres {
  port: number
  /** `postgres://postgres@127.0.0.1:<port>/<database>` (trust authentication). */
  url(database?: string): string
  /** Starts the server (it is running when `startPrivatePostgres` returns). */
  start(): Promise<void>
  /** Stops the server: `fast` ends sessions cleanly (57P01), `immediate` as a crash would. */
  stop(mode?: 'fast' | 'immediate'): Promise<void>
  /** Stops the server and deletes the cluster. */
  close(): Promise<void>
}

/**
 * Makes a throwaway PostgreSQL cluster with `initdb` in a temporary folder, on a free port, and
 * starts it: for tests that stop the database under load, which must never touch the server the
 * other tests share. Durability is off (fsync, full-page writes) since the data is thrown away.
 * The server's binaries come from PASSKEY_ID_PG_BIN (default Debian's PostgreSQL 15). PostgreSQL
 * refuses to run as root, so as root the cluster belongs to, and runs as, the user `postgres`.
 */
export async function startPrivatePostgres(
  bin = process.env.PASSKEY_ID_PG_BIN || DEFAULT_BIN,
): Promise<PrivatePostgres> {
  const folder = await mkdtemp(join(tmpdir(), 'passkey-id-pg-'))
  const data = join(folder, 'data')
  const asRoot = process.getuid?.() === 0
  if (asRoot) {
    const { stdout } = await run('id', ['-u', 'postgres'])
    const { stdout: group } = await run('id', ['-g', 'postgres'])
    await chown(folder, Number(stdout.trim()), Number(group.trim()))
  }
  const pgRun = (tool: string, args: string[]) =>
    asRoot
      ? run('runuser', ['-u', 'postgres', '--', join(bin, tool), ...args])
      : run(join(bin, tool), args)
  const port = await freePort()
  await pgRun('initdb', ['-D', data, '-U', 'postgres', '-A', 'trust', '--no-sync', '-E', 'UTF8'])
  const settings = [
    `-p ${port}`,
    '-c listen_addresses=127.0.0.1',
    `-c unix_socket_directories=${folder}`,
    '-c fsync=off',
    '-c full_page_writes=off',
    '-c synchronous_commit=off',
  ].join(' ')
  const timeout = ['-t', String(PG_CTL_TIMEOUT_SECONDS)]
  const start = async () => {
    await pgRun('pg_ctl', [
      'start',
      '-w',
      ...timeout,
      '-D',
      data,
      '-l',
      join(folder, 'log'),
      '-o',
      settings,
    ])
  }
  const stop = async (mode: 'fast' | 'immediate' = 'fast') => {
    await pgRun('pg_ctl', ['stop', '-w', ...timeout, '-D', data, '-m', mode])
  }
  await start()
  return {
    port,
    url: (database = 'postgres') => `postgres://postgres@127.0.0.1:${port}/${database}`,
    start,
    stop,
    close: async () => {
      await stop('immediate').catch(() => {})
      await rm(folder, { recursive: true, force: true })
    },
  }
}
