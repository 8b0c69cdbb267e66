import { type ChildProcess, spawn } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { connect } from 'node:net'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { freePort } from '@passkey-id/testing/http'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'

const root = fileURLToPath(new URL('../..', import.meta.url))
const tsx = fileURLToPath(new URL('../../node_modules/tsx/dist/cli.mjs', import.meta.url))
/** Starting two servers from cold takes seconds on a busy machine. */
const STARTUP_MS = 90_000

interface Started {
  child: ChildProcess
  output: () => string
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>
  providerPort: number
  demoPort: number
}

let dir: string
const running: ChildProcess[] = []

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'passkey-id-start-'))
})

afterEach(async () => {
  // A test that failed half way leaves no server behind: Ctrl-C, as in a terminal.
  for (const child of running.splice(0)) {
    if (child.exitCode !== null || child.signalCode !== null) continue
    process.kill(-(child.pid ?? 0), 'SIGINT')
    await new Promise((resolve) => child.on('close', resolve))
  }
  await rm(dir, { recursive: true, force: true })
})

/**
 * Runs `command` the way a terminal would, in a process group of its own, with the provider and the
 * demo on free ports and their databases in a temporary folder.
 */
async function start(command: string[], env: NodeJS.ProcessEnv = {}): Promise<Started> {
  const [providerPort, demoPort] = [await freePort(), await freePort()]
  const [file = '', ...args] = command
  const child = spawn(file, args, {
    cwd: root,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...process.env,
      // npm and tsx run on the Node of these tests.
      PATH: `${dirname(process.execPath)}:${process.env.PATH}`,
      PROVIDER_PORT: String(providerPort),
      DEMO_PORT: String(demoPort),
      PROVIDER_DATABASE_URL: `sqlite:${dir}/provider.db`,
      DEMO_DATABASE_URL: `sqlite:${dir}/demo.db`,
      ...env,
    },
  })
  running.push(child)
  let output = ''
  child.stdout.on('data', (chunk) => {
    output += chunk
  })
  child.stderr.on('data', (chunk) => {
    output += chunk
  })
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('close', (code, signal) => resolve({ code, signal })),
  )
  return { child, output: () => output, exited, providerPort, demoPort }
}

/** Waits until `npm start` says both servers are up, or it ends. */
async function ready(started: Started): Promise<void> {
  const deadline = Date.now() + STARTUP_MS
  while (!started.output().includes('Press Ctrl-C to stop.')) {
    if (started.child.exitCode !== null || Date.now() > deadline)
      throw new Error(`npm start did not get ready:\n${started.output()}`)
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}

/** Whether something accepts connections on the port. */
function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, 'localhost')
    socket.on('connect', () => {
      socket.destroy()
      resolve(true)
    })
    socket.on('error', () => resolve(false))
  })
}

/**
 * Waits until nothing accepts connections on the ports, or fails after 20 s. A server may outlive
 * the command by a moment: when tsx's CLI (what `npm start` runs) does not hear from its child
 * within 30 ms of relaying a signal, as on a loaded machine, it SIGKILLs the child, and each server
 * then stops on its own when its channel to the child closes.
 */
async function expectClosed(...ports: number[]): Promise<void> {
  const deadline = Date.now() + 20_000
  while ((await Promise.all(ports.map(listening))).some(Boolean)) {
    if (Date.now() > deadline) throw new Error(`a server outlived npm start on ${ports.join(', ')}`)
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
}

/** The process id in the first log line of one server (`provider | {"pid":...}`). */
function serverPid(output: string, name: string): number {
  const match = new RegExp(`^${name} +\\| \\{.*"pid":(\\d+)`, 'm').exec(output)
  if (match?.[1] === undefined) throw new Error(`no log line of the ${name}:\n${output}`)
  return Number(match[1])
}

describe('npm start', () => {
  it(
    'runs the provider and the demo in two processes, each with its own settings, until Ctrl-C stops both',
    async () => {
      // PUBLIC_URL without a prefix is meant for neither server.
      const started = await start(['npm', 'start'], {
        LOG_LEVEL: 'info',
        PUBLIC_URL: 'http://localhost:1',
      })
      await ready(started)
      const { providerPort, demoPort } = started

      const discovery = await fetch(
        `http://localhost:${providerPort}/.well-known/openid-configuration`,
      )
      expect((await discovery.json()).issuer).toBe(`http://localhost:${providerPort}`)
      const docs = await fetch(`http://localhost:${demoPort}/docs`)
      expect(docs.status).toBe(200)
      expect(started.output()).toContain(
        `passkey-id provider: http://localhost:${providerPort}  (database sqlite:${dir}/provider.db)`,
      )
      expect(started.output()).toContain(
        `demo API:            http://localhost:${demoPort}/docs  <- open this, click Authorize`,
      )
      const providerPid = serverPid(started.output(), 'provider')
      const demoPid = serverPid(started.output(), 'demo')
      expect(new Set([providerPid, demoPid, started.child.pid]).size).toBe(3)
      // No warning a person could do nothing about, on any supported Node (oidc-provider's
      // "Unsupported runtime" on Node 26, node:sqlite's ExperimentalWarning on Node 22).
      expect(started.output()).not.toMatch(/warning/i)

      // Ctrl-C: the terminal signals every process of the foreground group. npm itself ends by the
      // signal at once; its output ends when the script it ran has stopped both servers.
      process.kill(-(started.child.pid ?? 0), 'SIGINT')
      await started.exited
      expect(started.output()).toContain('SIGINT: stopping the demo and the provider')
      expect(started.output()).not.toMatch(/second SIGINT|passkey-id: the \w+ stopped/)
      await expectClosed(providerPort, demoPort)
      expect(() => process.kill(providerPid, 0)).toThrow()
      expect(() => process.kill(demoPid, 0)).toThrow()
    },
    STARTUP_MS + 30_000,
  )

  it(
    'stops both on SIGTERM to the start script',
    async () => {
      // start.ts itself, as a service manager would signal it: through tsx's CLI the signal is
      // relayed, and a child that does not acknowledge it within 30 ms is SIGKILLed (see
      // expectClosed), which on a loaded machine made this test fail on tsx's timing, not ours.
      const started = await start([process.execPath, '--import', 'tsx', 'scripts/start.ts'])
      await ready(started)
      started.child.kill('SIGTERM')
      expect(await started.exited).toEqual({ code: 0, signal: null })
      expect(await listening(started.providerPort)).toBe(false)
      expect(await listening(started.demoPort)).toBe(false)
    },
    STARTUP_MS + 30_000,
  )

  it(
    'stops the demo when the provider dies, and exits with a code that says how',
    async () => {
      const started = await start([process.execPath, tsx, 'scripts/start.ts'], {
        LOG_LEVEL: 'info',
      })
      await ready(started)
      process.kill(serverPid(started.output(), 'provider'), 'SIGKILL')
      expect(await started.exited).toEqual({ code: 128 + 9, signal: null })
      expect(started.output()).toContain(
        'passkey-id: the provider stopped by SIGKILL; stopping the other server',
      )
      expect(await listening(started.demoPort)).toBe(false)
    },
    STARTUP_MS + 30_000,
  )

  it(
    'stops both servers when npm start is killed outright',
    async () => {
      const started = await start([process.execPath, '--import', 'tsx', 'scripts/start.ts'])
      await ready(started)
      started.child.kill('SIGKILL')
      await started.exited
      await expectClosed(started.providerPort, started.demoPort)
    },
    STARTUP_MS + 30_000,
  )

  it('refuses a bad setting in one line that names the variable as it was typed', async () => {
    const demoPort = await start(['npm', 'start', '--silent'], { DEMO_PORT: 'eighty' })
    expect(await demoPort.exited).toEqual({ code: 1, signal: null })
    expect(demoPort.output()).toBe(
      'passkey-id: DEMO_PORT must be a whole number from 0 to 65535, not "eighty"\n',
    )
    const logLevel = await start(['npm', 'start', '--silent'], { LOG_LEVEL: 'loud' })
    expect(await logLevel.exited).toEqual({ code: 1, signal: null })
    expect(logLevel.output()).toMatch(/^passkey-id: LOG_LEVEL must be one of .*, not "loud"\n$/)
    // A secret is never repeated, only measured.
    const key = await start(['npm', 'start', '--silent'], { PROVIDER_ENCRYPTION_KEY: 'hunter2' })
    expect(await key.exited).toEqual({ code: 1, signal: null })
    expect(key.output()).toBe(
      'passkey-id: PROVIDER_ENCRYPTION_KEY must be 32 random bytes in base64 (44 characters), not the value given (7 characters): make one with openssl rand -base64 32\n',
    )
  }, 90_000)
})
