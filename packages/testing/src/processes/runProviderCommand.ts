import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import type { Exit } from './startProviderProcess.ts'

const root = fileURLToPath(new URL('../../../..', import.meta.url))
const cli = fileURLToPath(new URL('../../../provider/src/cli.ts', import.meta.url))
/** A command, or a start that is refused, from cold on a busy machine. */
const RUN_MS = 60_000

/**
 * Runs `npm run provider -- <args>` to its end, as an operator would (the CLI under tsx, configured
 * by `env`), and returns how it ended and everything it wrote: a command such as `keys list`, or a
 * start expected to be refused (no `args`). A run past a minute is killed and rejects.
 */
export async function runProviderCommand(
  args: readonly string[],
  env: Record<string, string>,
): Promise<{ exit: Exit; output: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', cli, ...args], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, LOG_LEVEL: 'warn', ...env },
  })
  let output = ''
  child.stdout.on('data', (chunk) => {
    output += chunk
  })
  child.stderr.on('data', (chunk) => {
    output += chunk
  })
  const exited = new Promise<Exit>((resolve) =>
    child.on('close', (code, signal) => resolve({ code, signal })),
  )
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => {
      child.kill('SIGKILL')
      reject(new Error(`provider ${args.join(' ')} did not end within ${RUN_MS} ms:\n${output}`))
    }, RUN_MS)
  })
  try {
    return { exit: await Promise.race([exited, timeout]), output }
  } finally {
    clearTimeout(timer)
  }
}
