import { type ChildProcess, execFileSync, fork, spawn } from 'node:child_process'
import { once } from 'node:events'
import { readdirSync, readFileSync, readlinkSync } from 'node:fs'
import os from 'node:os'
import { relative } from 'node:path'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { READY } from '@passkey-id/runtime'

/** The repository's root folder. */
export const ROOT = fileURLToPath(new URL('..', import.meta.url))

/** Kernel clock ticks per second, the unit of the CPU times in /proc/<pid>/stat. */
const CLOCK_TICKS = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }))

/** The fields of a /proc/<pid>/stat line after the command name (which may hold spaces), from field 3 on. */
function statFields(line: string): string[] {
  return line.slice(line.lastIndexOf(')') + 2).split(' ')
}

/**
 * CPU time, user + system, in milliseconds, from a /proc/<pid>/stat line: the process's own (every
 * thread, also those that ended), or that of the children it has waited for (how `wrk.ts` learns
 * what wrk used).
 */
export function statCpuMs(line: string, whose: 'own' | 'waited children'): number {
  const fields = statFields(line)
  const [user, system] = whose === 'own' ? [fields[11], fields[12]] : [fields[13], fields[14]]
  return ((Number(user) + Number(system)) * 1000) / CLOCK_TICKS
}

/**
 * CPU time a process has used so far, in milliseconds, read from the kernel: it counts libuv's
 * threads (WebCrypto, file work) too, and needs nothing from the process.
 */
export function processCpuMs(pid: number): number {
  return statCpuMs(readFileSync(`/proc/${pid}/stat`, 'utf8'), 'own')
}

/**
 * CPU time the live threads of a process have used, in milliseconds, from the scheduler's
 * nanosecond counters (/proc/<pid>/task/<tid>/schedstat): precise enough to tell the cost of one
 * request, which the clock ticks of /proc/<pid>/stat are not.
 */
export function threadsCpuMs(pid: number): number {
  let nanoseconds = 0
  for (const thread of readdirSync(`/proc/${pid}/task`)) {
    try {
      nanoseconds += Number(
        readFileSync(`/proc/${pid}/task/${thread}/schedstat`, 'utf8').split(' ')[0],
      )
    } catch {
      // The thread ended between the listing and the read.
    }
  }
  return nanoseconds / 1e6
}

/** Resident memory of a process now and its high-water mark (VmHWM), in bytes. */
export function processMemory(pid: number): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8')
  const kilobytes = (field: string) =>
    Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? Number.NaN)
  return { rss: kilobytes('VmRSS') * 1024, peak: kilobytes('VmHWM') * 1024 }
}

/**
 * The processes started here that are still running. Each is the leader of a process group and a
 * session of its own, as the servers of `npm start` are: the kernel's autogroup scheduling then
 * shares the cores out to every server alike (a server in this process's session would share the
 * load generator's share, and get more of a busy machine than `npm start`'s demo does).
 */
const running = new Set<ChildProcess>()

function track(child: ChildProcess): ChildProcess {
  running.add(child)
  child.once('exit', () => running.delete(child))
  return child
}

// Stopping the benchmark (Ctrl-C reaches no other session) stops what it started.
process.once('exit', () => {
  for (const child of running) {
    try {
      if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL')
    } catch {
      // It ended on its own meanwhile.
    }
  }
})
for (const signal of ['SIGINT', 'SIGTERM'] as const)
  process.once(signal, () => process.exit(128 + os.constants.signals[signal]))

/** A server under test, in a process of its own. */
export interface ServerProcess {
  /** The process that serves (for `npm start`, the demo's, not npm's). */
  pid: number
  stop(): Promise<void>
}

/** A server that `startTsServer` started, which can also be asked questions over its IPC channel. */
export interface TsServer extends ServerProcess {
  /**
   * Sends `question` and resolves with the first message that `answers` it (a module loaded with
   * `imports` replies), or rejects after 5 s.
   */
  ask(question: string): Promise<{ answers: string }>
}

/** How long a server may take to answer `ask`. */
const ASK_TIMEOUT_MS = 5000

/** Options for `startTsServer`. */
export interface TsServerOptions {
  env?: Record<string, string>
  /** Node flags put before `--import tsx`, such as `--cpu-prof`. */
  nodeFlags?: string[]
  /** Modules of this repository loaded after tsx and before `file` (`--import`), such as probes. */
  imports?: string[]
  /** Takes each line the server writes to stdout, instead of this terminal. */
  onStdoutLine?: (line: string) => void
}

/**
 * Runs a TypeScript entry point of this repository in a new Node process (the Node running this
 * one, through tsx) and resolves once it reports that it listens (`reportReady`, as under
 * `npm start`). Its output goes to this terminal (stdout unless `onStdoutLine` takes it), so a
 * server that fails says why.
 */
export async function startTsServer(
  file: string,
  options: TsServerOptions = {},
): Promise<TsServer> {
  const inRepository = (path: string) => new URL(path, `file://${ROOT}/`)
  const child = track(
    fork(fileURLToPath(inRepository(file)), [], {
      execArgv: [
        ...(options.nodeFlags ?? []),
        '--import',
        'tsx',
        ...(options.imports ?? []).flatMap((module) => ['--import', inRepository(module).href]),
      ],
      env: { ...process.env, ...options.env },
      detached: true,
      stdio: ['ignore', options.onStdoutLine === undefined ? 'inherit' : 'pipe', 'inherit', 'ipc'],
    }),
  )
  if (child.stdout !== null && options.onStdoutLine !== undefined)
    createInterface({ input: child.stdout, crlfDelay: Number.POSITIVE_INFINITY }).on(
      'line',
      options.onStdoutLine,
    )
  await new Promise<void>((resolve, reject) => {
    const onMessage = (message: unknown) => {
      if (message !== READY) return
      child.off('exit', onExit)
      child.off('message', onMessage)
      resolve()
    }
    const onExit = (code: number | null) => reject(new Error(`${file} exited (${code}) at start`))
    child.on('message', onMessage)
    child.once('exit', onExit)
  })
  // The channel stays open: a server under `npm start` stops when its parent goes away.
  return {
    pid: requirePid(child),
    stop: () => stopChild(child, 'SIGTERM'),
    ask: (question) => askChild(child, question),
  }
}

function askChild(child: ChildProcess, question: string): Promise<{ answers: string }> {
  return new Promise((resolve, reject) => {
    const onMessage = (message: unknown) => {
      if ((message as { answers?: unknown } | null)?.answers !== question) return
      clearTimeout(timer)
      child.off('message', onMessage)
      resolve(message as { answers: string })
    }
    const timer = setTimeout(() => {
      child.off('message', onMessage)
      reject(new Error(`no answer to ${question} within ${ASK_TIMEOUT_MS} ms`))
    }, ASK_TIMEOUT_MS)
    child.on('message', onMessage)
    child.send(question)
  })
}

function requirePid(child: ChildProcess): number {
  if (child.pid === undefined) throw new Error('the child process has no pid')
  return child.pid
}

/**
 * Sends `signal` (to the process group when `group`) and waits for the exit; a process still there
 * after 20 s (a server that would not close) is killed.
 */
async function stopChild(child: ChildProcess, signal: NodeJS.Signals, group = false) {
  if (child.exitCode !== null || child.signalCode !== null) return
  const exited = once(child, 'exit')
  const target = group ? -requirePid(child) : requirePid(child)
  process.kill(target, signal)
  const timer = setTimeout(() => process.kill(target, 'SIGKILL'), 20_000)
  await exited
  clearTimeout(timer)
}

/**
 * `npm start` as a person runs it, with `env` (PROVIDER_PORT, DEMO_PORT, ...), in a process group of
 * its own so that it can be stopped as Ctrl-C stops it. Resolves when `ready()` says both servers
 * answer; `pid` is then the process listening on `servingPort`, wherever `npm start` put it.
 */
export async function startNpmStart(
  env: Record<string, string>,
  servingPort: number,
  ready: () => Promise<boolean>,
): Promise<ServerProcess & { processes: ServingProcess[] }> {
  const npm = track(
    spawn('npm', ['start'], {
      cwd: ROOT,
      env: { ...process.env, ...env },
      detached: true,
      stdio: ['ignore', 'ignore', 'inherit'],
    }),
  )
  const stop = () => stopChild(npm, 'SIGINT', true)
  try {
    for (let attempt = 0; !(await ready()); attempt += 1) {
      if (npm.exitCode !== null) throw new Error(`npm start exited (${npm.exitCode})`)
      if (attempt > 300) throw new Error('npm start did not answer within 60 s')
      await new Promise((resolve) => setTimeout(resolve, 200))
    }
    const processes = servingProcesses(requirePid(npm))
    const serving = processes.find(({ ports }) => ports.includes(servingPort))
    if (serving === undefined) throw new Error(`no process of npm start listens on ${servingPort}`)
    return { pid: serving.pid, processes, stop }
  } catch (error) {
    await stop()
    throw error
  }
}

/** A process under another that listens on TCP ports, and what it runs. */
export interface ServingProcess {
  pid: number
  ports: number[]
  /** Its last command-line argument (the entry point it runs), relative to the repository. */
  script: string
}

/** The descendants of `root` that listen on a TCP port, found through /proc (Linux). */
function servingProcesses(root: number): ServingProcess[] {
  const parents = new Map<number, number>()
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    try {
      parents.set(Number(entry), Number(statFields(readFileSync(`/proc/${entry}/stat`, 'utf8'))[1]))
    } catch {
      // The process ended while the list was read.
    }
  }
  const descendants = [root]
  for (let i = 0; i < descendants.length; i += 1)
    for (const [pid, parent] of parents) if (parent === descendants[i]) descendants.push(pid)

  const listening = listeningSockets()
  const serving: ServingProcess[] = []
  for (const pid of descendants) {
    const ports = new Set<number>()
    try {
      for (const fd of readdirSync(`/proc/${pid}/fd`)) {
        const inode = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`))?.[1]
        const port = inode === undefined ? undefined : listening.get(inode)
        if (port !== undefined) ports.add(port)
      }
      if (ports.size === 0) continue
      const args = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean)
      serving.push({ pid, ports: [...ports], script: relative(ROOT, args.at(-1) ?? '') })
    } catch {
      // The process ended while it was looked at.
    }
  }
  return serving
}

/** Listening TCP sockets (IPv4 and IPv6): socket inode to local port. */
function listeningSockets(): Map<string, number> {
  const sockets = new Map<string, number>()
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text: string
    try {
      text = readFileSync(table, 'utf8')
    } catch {
      continue
    }
    for (const line of text.split('\n').slice(1)) {
      const columns = line.trim().split(/\s+/)
      // Columns: sl, local address:port (hex), remote, state (0A = LISTEN), ..., inode (10th).
      const [, local, , state] = columns
      const inode = columns[9]
      if (state !== '0A' || local === undefined || inode === undefined) continue
      sockets.set(inode, Number.parseInt(local.slice(local.lastIndexOf(':') + 1), 16))
    }
  }
  return sockets
}
