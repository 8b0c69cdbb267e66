import { type ChildProcess, spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { compileCacheEnvironment } from '@passkey-id/runtime'

const root = fileURLToPath(new URL('../../../..', import.meta.url))
const cli = fileURLToPath(new URL('../../../provider/src/cli.ts', import.meta.url))

/**
 * How the child's Node runs the CLI's TypeScript: Node itself strips the types where it does so
 * without a flag (22.18 and later), as `npm start` does; else tsx, as `npm run provider` does.
 * tsx's loader costs a spawn 0.4-0.8 s, and the suites spawn the CLI many times.
 */
const EXEC_ARGV = process.features.typescript ? [] : ['--import', 'tsx']

/** How a process ended. */
export interface Exit {
  code: number | null
  signal: NodeJS.Signals | null
}

/** The provider's CLI in a child process, with everything it writes collected. */
export interface ProviderCli {
  child: ChildProcess
  /** Everything it wrote to stdout and stderr so far. */
  output(): string
  /** Resolves when it has ended (and its output is complete). */
  exited: Promise<Exit>
}

/**
 * Spawns the provider's CLI (`npm run provider -- <args>`) from the repository's root, configured by
 * `env` over this process's environment (log level `warn` unless `env` says otherwise). With `ipc`,
 * the child can send its parent the ready message, and it ends when the channel closes.
 */
export function spawnProviderCli(
  args: readonly string[],
  env: Record<string, string>,
  { ipc = false }: { ipc?: boolean } = {},
): ProviderCli {
  const child = spawn(process.execPath, [...EXEC_ARGV, cli, ...args], {
    cwd: root,
    stdio: ipc ? ['ignore', 'pipe', 'pipe', 'ipc'] : ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...compileCacheEnvironment(), LOG_LEVEL: 'warn', ...env },
  })
  let output = ''
  child.stdout?.on('data', (chunk) => {
    output += chunk
  })
  child.stderr?.on('data', (chunk) => {
    output += chunk
  })
  const exited = new Promise<Exit>((resolve) =>
    child.on('close', (code, signal) => resolve({ code, signal })),
  )
  return { child, output: () => output, exited }
}
