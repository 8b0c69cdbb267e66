import { type Exit, spawnProviderCli } from './spawnProviderCli.ts'

/** A command, or a start that is refused, from cold on a busy machine. */
const RUN_MS = 60_000

/**
 * Runs `npm run provider -- <args>` to its end, as an operator would (the CLI as `spawnProviderCli` runs it, configured
 * by `env`), and returns how it ended and everything it wrote: a command such as `keys list`, or a
 * start expected to be refused (no `args`). A run past a minute is killed and rejects.
 */
export async function runProviderCommand(
  args: readonly string[],
  env: Record<string, string>,
): Promise<{ exit: Exit; output: string }> {
  const { child, output, exited } = spawnProviderCli(args, env)
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => {
      child.kill('SIGKILL')
      reject(new Error(`provider ${args.join(' ')} did not end within ${RUN_MS} ms:\n${output()}`))
    }, RUN_MS)
  })
  try {
    return { exit: await Promise.race([exited, timeout]), output: output() }
  } finally {
    clearTimeout(timer)
  }
}
