import type { ChildProcess } from 'node:child_process'
import { freePort } from '../http/freePort.ts'
import { type Exit, spawnProviderCli } from './spawnProviderCli.ts'

/** The message the CLI sends its parent once it listens (`READY` of @passkey-id/runtime). */
const READY = 'ready'
/** Starting the provider from cold (TypeScript, bundling its browser scripts) on a busy machine. */
const STARTUP_MS = 60_000

/** The provider's CLI running in a process of its own. */
export interface ProviderProcess {
  /** Its issuer, such as http://localhost:43121. */
  url: string
  port: number
  child: ChildProcess
  /** Everything it wrote to stdout and stderr so far. */
  output(): string
  /** Resolves when it has ended. */
  exited: Promise<Exit>
  /** Sends `signal` (SIGTERM by default) and waits for the process to end. */
  stop(signal?: NodeJS.Signals): Promise<Exit>
}

/**
 * Runs `npm run provider` as an operator would (the CLI as `spawnProviderCli` runs it, configured by `env`, on a free
 * port), and resolves once it listens; rejects with its output if it ends first. For what only a
 * real process shows: signals, exit codes, start-up messages, staying alive through faults. The
 * child ends with the test's process (it stops when its IPC channel closes).
 */
export async function startProviderProcess(env: Record<string, string>): Promise<ProviderProcess> {
  const port = env.PORT === undefined ? await freePort() : Number(env.PORT)
  const { child, output, exited } = spawnProviderCli(
    [],
    { ...env, PORT: String(port) },
    {
      ipc: true,
    },
  )
  const started = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`no start within ${STARTUP_MS} ms:\n${output()}`)),
      STARTUP_MS,
    )
    child.on('message', (message) => {
      if (message !== READY) return
      clearTimeout(timer)
      resolve()
    })
    void exited.then((exit) => {
      clearTimeout(timer)
      reject(
        new Error(`the provider ended (${JSON.stringify(exit)}) before it was ready:\n${output()}`),
      )
    })
  })
  const stop = async (signal: NodeJS.Signals = 'SIGTERM') => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal)
    return exited
  }
  try {
    await started
  } catch (error) {
    await stop('SIGKILL')
    throw error
  }
  return {
    url: env.PUBLIC_URL ?? `http://localhost:${port}`,
    port,
    child,
    output,
    exited,
    stop,
  }
}
