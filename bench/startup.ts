/**
 * Start-up: how long after `npm start` each server listens and `npm start` says both are ready,
 * and how long `npm run provider` alone takes to listen, N times each on a database that already
 * exists (the first start, which creates it and its keys, is left out as a warm-up).
 *
 *   npx tsx bench/startup.ts [starts, default 10] [folder holding a node binary ...]
 *
 * With no folder it runs the Node of this process; given several (such as each supported Node's
 * `node_modules/.bin`), it prints a row for each. The machine's load average is printed beside the
 * figures: they are wall-clock times, and on a shared machine they say as much about the others.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process'
import { once } from 'node:events'
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { connect } from 'node:net'
import os from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { freePort } from '@passkey-id/testing/http'
import { processCpuMs, ROOT } from './processes.ts'

/** The longest one start may take before the run counts as failed. */
const START_TIMEOUT_MS = 30_000
/** How often the ports are tried while a server starts. */
const POLL_MS = 5

/** Milliseconds from the spawn of each start to each event, one entry per start. */
type Timings = Record<string, number[]>

/**
 * The CPU time, in ms, used so far by `root` and every process under it (npm, its shell, tsx, the
 * servers, esbuild's service): on a busy machine the wall-clock times mostly measure the others,
 * while this is what a start costs.
 */
function treeCpuMs(root: number): number {
  const children = new Map<number, number[]>()
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8')
      const parent = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1])
      children.set(parent, [...(children.get(parent) ?? []), Number(entry)])
    } catch {
      // It ended while the list was read.
    }
  }
  let total = 0
  for (const pending = [root]; pending.length > 0; ) {
    const pid = pending.pop() as number
    try {
      total += processCpuMs(pid)
    } catch {
      // It ended meanwhile.
    }
    pending.push(...(children.get(pid) ?? []))
  }
  return total
}

/** Resolves with the time (ms after `since`) at which something first accepts a connection on `port`. */
async function listeningAt(port: number, since: number, child: ChildProcess): Promise<number> {
  const deadline = since + START_TIMEOUT_MS
  while (performance.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`exited (${child.exitCode}) before listening`)
    const accepted = await new Promise<boolean>((resolve) => {
      const socket = connect({ port, host: 'localhost' })
      socket.once('connect', () => {
        socket.destroy()
        resolve(true)
      })
      socket.once('error', () => resolve(false))
    })
    if (accepted) return performance.now() - since
    await new Promise((resolve) => setTimeout(resolve, POLL_MS))
  }
  throw new Error(`nothing listened on ${port} within ${START_TIMEOUT_MS} ms`)
}

/** Resolves with the time (ms after `since`) at which `child` writes a line matching `pattern`. */
async function lineAt(child: ChildProcess, pattern: RegExp, since: number): Promise<number> {
  if (child.stdout === null) throw new Error('no stdout to read')
  const lines = createInterface({ input: child.stdout })
  for await (const line of lines) if (pattern.test(line)) return performance.now() - since
  throw new Error(`the output ended without a line matching ${pattern}`)
}

/** Stops a process group started here (as Ctrl-C does) and waits for its leader to exit. */
async function stopGroup(child: ChildProcess): Promise<void> {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return
  const exited = once(child, 'exit')
  process.kill(-child.pid, 'SIGINT')
  const timer = setTimeout(
    () => child.pid !== undefined && process.kill(-child.pid, 'SIGKILL'),
    20_000,
  )
  await exited
  clearTimeout(timer)
}

/** One `npm <args>` in a process group of its own, with `env` added and `path` first in PATH. */
function npm(args: string[], env: Record<string, string>, path: string): ChildProcess {
  return spawn('npm', args, {
    cwd: ROOT,
    env: { ...process.env, PATH: `${path}:${process.env.PATH}`, ...env },
    detached: true,
    stdio: ['ignore', 'pipe', 'inherit'],
  })
}

/** One `npm start`: when the provider and the demo listen, and when it prints their addresses. */
async function timeNpmStart(path: string, database: string): Promise<Record<string, number>> {
  const [providerPort, demoPort] = [await freePort(), await freePort()]
  const since = performance.now()
  const child = npm(
    ['start'],
    {
      PROVIDER_PORT: String(providerPort),
      PROVIDER_DATABASE_URL: `sqlite:${database}`,
      DEMO_PORT: String(demoPort),
    },
    path,
  )
  try {
    const [provider, demo, ready] = await Promise.all([
      listeningAt(providerPort, since, child),
      listeningAt(demoPort, since, child),
      lineAt(child, /^Press Ctrl-C to stop/, since),
    ])
    return {
      'npm start: provider listens': provider,
      'npm start: demo listens': demo,
      'npm start: ready': ready,
      'npm start: CPU until ready (all processes)': treeCpuMs(child.pid as number),
    }
  } finally {
    await stopGroup(child)
  }
}

/** One `npm run provider`: when it listens. */
async function timeProvider(path: string, database: string): Promise<Record<string, number>> {
  const port = await freePort()
  const since = performance.now()
  const child = npm(
    ['run', 'provider'],
    { PORT: String(port), DATABASE_URL: `sqlite:${database}`, LOG_LEVEL: 'warn' },
    path,
  )
  child.stdout?.resume()
  try {
    return {
      'npm run provider: listens': await listeningAt(port, since, child),
      'npm run provider: CPU until it listens': treeCpuMs(child.pid as number),
    }
  } finally {
    await stopGroup(child)
  }
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  const middle = Math.floor(sorted.length / 2)
  return sorted.length % 2 === 1
    ? (sorted[middle] ?? 0)
    : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2
}

/** Runs every measurement `starts` times with the Node found first in `path`, alternating them. */
async function measure(
  path: string,
  starts: number,
): Promise<{ version: string; timings: Timings }> {
  const version = execFileSync('node', ['--version'], {
    encoding: 'utf8',
    env: { ...process.env, PATH: `${path}:${process.env.PATH}` },
  }).trim()
  const folder = mkdtempSync(join(os.tmpdir(), 'passkey-id-startup-'))
  const database = join(folder, 'passkey-id.db')
  const timings: Timings = {}
  try {
    // The first start creates the database and its keys (and fills tsx's cache): not timed.
    await timeNpmStart(path, database)
    for (let start = 0; start < starts; start += 1) {
      for (const run of [timeNpmStart, timeProvider]) {
        for (const [event, ms] of Object.entries(await run(path, database))) {
          timings[event] ??= []
          timings[event].push(ms)
        }
      }
    }
  } finally {
    rmSync(folder, { recursive: true, force: true })
  }
  return { version, timings }
}

const [startsArgument, ...paths] = process.argv.slice(2)
const starts = Number(startsArgument ?? 10)
if (!Number.isInteger(starts) || starts < 1)
  throw new Error(`starts must be a whole number, not ${startsArgument}`)

const loadBefore = os.loadavg().map((load) => load.toFixed(2))
const rows: string[] = []
for (const path of paths.length > 0 ? paths : [join(process.execPath, '..')]) {
  const { version, timings } = await measure(path, starts)
  for (const [event, values] of Object.entries(timings)) {
    const ms = (value: number) => (value / 1000).toFixed(2)
    rows.push(
      `| ${version} | ${event} | ${ms(median(values))} | ${ms(Math.min(...values))} | ${ms(Math.max(...values))} |`,
    )
  }
}
console.log(
  `${starts} starts each · ${os.cpus().length} cores · load average ${loadBefore.join(' ')} before, ${os
    .loadavg()
    .map((load) => load.toFixed(2))
    .join(' ')} after\n`,
)
console.log('| Node | until | median s | min s | max s |')
console.log('| ---- | ----- | -------: | ----: | ----: |')
for (const row of rows) console.log(row)
