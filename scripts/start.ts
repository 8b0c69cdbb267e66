import { type ChildProcess, fork } from 'node:child_process'
import { constants } from 'node:os'
import { createInterface } from 'node:readline'
import type { Readable, Writable } from 'node:stream'
import { fileURLToPath } from 'node:url'
import {
  ConfigError,
  compileCacheEnvironment,
  exitOnUnsupportedNode,
  READY,
  SERVER_ENVIRONMENT,
} from '@passkey-id/runtime'

// `npm start`: the provider on :8080 and the demo API on :8000, each in a process of its own, until
// Ctrl-C. oidc-provider's AsyncLocalStorage would slow every other server in its process, so the
// demo does not share it. Each reads its own variables with a prefix (PROVIDER_PORT, DEMO_PORT, ...),
// since both have a PORT.

// First, before anything else is loaded (a static import would be, ahead of this line).
exitOnUnsupportedNode()

// The configuration modules alone: the packages' indexes would load both servers into this process,
// which only checks the settings, starts the servers and waits.
const [{ loadProviderConfig }, { loadDemoConfig }] = await Promise.all([
  import('../packages/provider/src/config.ts'),
  import('../examples/demo/src/config.ts'),
])

/** The variables meant for one server, without their prefix; LOG_LEVEL applies to both. */
function prefixed(prefix: string): NodeJS.ProcessEnv {
  // Quieter than each alone: two servers share one terminal.
  const env: NodeJS.ProcessEnv = { LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn' }
  for (const [name, value] of Object.entries(process.env)) {
    if (name.startsWith(prefix)) env[name.slice(prefix.length)] = value
  }
  return env
}

/** Reads one server's settings, so that a bad one stops `npm start` before anything runs. */
function check<T>(prefix: string, load: (env: NodeJS.ProcessEnv) => T, env: NodeJS.ProcessEnv): T {
  try {
    return load(env)
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error
    // Each message starts with the variable's name: say it as the person typed it (LOG_LEVEL has
    // none when it applies to both).
    const name = /^[A-Z][A-Z0-9_]*/.exec(error.message)?.[0]
    const typed = process.env[`${prefix}${name}`] === undefined ? '' : prefix
    console.error(`passkey-id: ${typed}${error.message}`)
    process.exit(1)
  }
}

const providerEnv = prefixed('PROVIDER_')
const provider = check('PROVIDER_', loadProviderConfig, providerEnv)
// The demo signs in through this provider unless DEMO_ISSUER says otherwise.
const demoEnv = { ISSUER: provider.publicUrl, ...prefixed('DEMO_') }
const demo = check('DEMO_', loadDemoConfig, demoEnv)

/**
 * How each server's Node runs its TypeScript: Node itself strips the types where it does so without
 * a flag (22.18 and later), else tsx, as it runs this script. tsx's hooks see every module the
 * server loads, node_modules included (each CommonJS file is read and scanned for import/export),
 * which about doubled the time the servers spent loading their libraries (`bench/startup.ts`).
 */
const SERVER_EXEC_ARGV = process.features.typescript ? [] : process.execArgv

/** The exit code `npm start` ends with: 0 when stopped on purpose, else the code of what failed. */
let exitCode = 0
let stopping = false
const servers = [
  run('provider', '../packages/provider/src/cli.ts', providerEnv),
  run('demo', '../examples/demo/src/main.ts', demoEnv),
]
let starting = servers.length
let running = servers.length

for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.on(signal, () => {
    if (!stopping) console.log(`\n${signal}: stopping the demo and the provider`)
    stop()
  })
}
// Whatever ends this process, the servers end with it.
process.on('exit', () => {
  for (const server of servers) if (isRunning(server)) server.kill('SIGKILL')
})

/**
 * Starts one server's entry point in a child process with the same Node as this one. The child has
 * a process group of its own, so that Ctrl-C reaches it once, from here, and not a second time from
 * the terminal (a second signal makes a server give up closing gracefully).
 */
function run(name: string, entry: string, settings: NodeJS.ProcessEnv): ChildProcess {
  const child = fork(fileURLToPath(new URL(entry, import.meta.url)), [], {
    execArgv: SERVER_EXEC_ARGV,
    env: {
      ...process.env,
      ...compileCacheEnvironment(),
      [SERVER_ENVIRONMENT]: JSON.stringify(settings),
    },
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    detached: true,
  })
  const label = `${name.padEnd(8)} | `
  prefixLines(child.stdout, process.stdout, label)
  prefixLines(child.stderr, process.stderr, label)
  child.on('message', (message) => {
    if (message !== READY) return
    starting -= 1
    if (starting === 0 && !stopping) printAddresses()
  })
  // 'close' comes after the last line of the child's output.
  child.on('close', (code, signal) => {
    const stoppedHere = stopping && (code === 0 || signal === 'SIGTERM')
    if (!stoppedHere && exitCode === 0) {
      exitCode = signal === null ? code || 1 : 128 + constants.signals[signal]
      const how = signal === null ? `with exit code ${code}` : `by ${signal}`
      console.error(
        `passkey-id: the ${name} stopped ${how}${stopping ? '' : '; stopping the other server'}`,
      )
    }
    stop()
    running -= 1
    if (running === 0) process.exitCode = exitCode
  })
  return child
}

function isRunning(server: ChildProcess): boolean {
  return server.exitCode === null && server.signalCode === null
}

/** Asks each server still running, once, to finish its requests and close. */
function stop(): void {
  if (stopping) return
  stopping = true
  for (const server of servers) if (isRunning(server)) server.kill('SIGTERM')
}

/** Copies a child's output line by line, each line labelled with the server it comes from. */
function prefixLines(from: Readable | null, to: Writable, label: string): void {
  if (from === null) return
  createInterface({ input: from, crlfDelay: Number.POSITIVE_INFINITY }).on('line', (line) =>
    to.write(`${label}${line}\n`),
  )
}

function printAddresses(): void {
  console.log(`passkey-id provider: ${provider.publicUrl}  (database ${provider.databaseUrl})`)
  console.log(`demo API:            ${demo.appUrl}/docs  <- open this, click Authorize`)
  console.log('Press Ctrl-C to stop.')
}
