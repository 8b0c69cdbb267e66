import { readdir, readFile } from 'node:fs/promises'
import { basename, join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import { ROOT } from './processes.ts'

/** The parts of a `.cpuprofile` (V8's format, written by `node --cpu-prof`) read here. */
interface CpuProfile {
  nodes: {
    id: number
    callFrame: { functionName: string; url: string; lineNumber: number }
    children?: number[]
  }[]
  /** Microseconds on the monotonic clock. */
  startTime: number
  samples: number[]
  timeDeltas: number[]
}

/** A labelled span of time, in microseconds on the monotonic clock. */
export interface Window {
  label: string
  start: number
  end: number
}

/** Where the sampled CPU time of a profile went, in milliseconds. */
export interface ProfileSummary {
  /** Time inside the windows, not idle. */
  totalMs: number
  /** Per window label. */
  byLabel: Map<string, number>
  /** Self time per package (a native function counts for the package that called it). */
  byPackage: Map<string, number>
  /** Self time per function. */
  byFunction: Map<string, number>
}

/**
 * Reads the `.cpuprofile` of the main thread of the process that wrote into `dir`. Node names each
 * thread's `CPU.<date>.<time>.<pid>.<thread id>.<n>.cpuprofile`, the main thread's id being 0; the
 * provider also runs SQLite's checkpoints in a worker thread, which writes a profile of its own.
 */
export async function readCpuProfile(dir: string): Promise<CpuProfile> {
  const files = (await readdir(dir)).filter((file) => /\.\d+\.0\.\d+\.cpuprofile$/.test(file))
  if (files.length !== 1)
    throw new Error(`expected one main-thread .cpuprofile in ${dir}, found ${files.length}`)
  return JSON.parse(await readFile(join(dir, files[0] ?? ''), 'utf8'))
}

/**
 * How long after a window's end its work may still run: a server finishes some work after it has
 * sent a response (hooks, writes), when the client has not started its next request yet.
 */
const TRAILING_US = 10_000

/**
 * Sums the samples of `profile` taken in `windows` (sorted by start, not overlapping), leaving idle
 * time out: by window label, by package and by function. A sample belongs to the last window that
 * began before it, up to 10 ms after that window's end.
 */
export function summariseProfile(profile: CpuProfile, windows: Window[]): ProfileSummary {
  const nodes = new Map(profile.nodes.map((node) => [node.id, node]))
  const parents = new Map<number, number>()
  for (const node of profile.nodes)
    for (const child of node.children ?? []) parents.set(child, node.id)
  const summary: ProfileSummary = {
    totalMs: 0,
    byLabel: new Map(),
    byPackage: new Map(),
    byFunction: new Map(),
  }
  let time = profile.startTime
  let current = -1
  profile.samples.forEach((id, index) => {
    // A sample's delta is the time since the previous sample: the time this one stands for.
    const delta = profile.timeDeltas[index] ?? 0
    time += delta
    while ((windows[current + 1]?.start ?? Number.POSITIVE_INFINITY) <= time) current += 1
    const window = windows[current]
    if (window === undefined || time > window.end + TRAILING_US) return
    const node = nodes.get(id)
    if (node === undefined || node.callFrame.functionName === '(idle)') return
    const ms = delta / 1000
    const caller = nearestScript(node.id, nodes, parents)
    summary.totalMs += ms
    add(summary.byLabel, window.label, ms)
    add(summary.byPackage, packageOf(node.callFrame, caller), ms)
    add(summary.byFunction, functionOf(node.callFrame, caller), ms)
  })
  return summary
}

function add(map: Map<string, number>, key: string, value: number): void {
  map.set(key, (map.get(key) ?? 0) + value)
}

type CallFrame = CpuProfile['nodes'][number]['callFrame']

/** The frame of `id` or of its nearest caller that has a script (native frames have none). */
function nearestScript(
  id: number,
  nodes: Map<number, CpuProfile['nodes'][number]>,
  parents: Map<number, number>,
): CallFrame | undefined {
  for (let at: number | undefined = id; at !== undefined; at = parents.get(at)) {
    const frame = nodes.get(at)?.callFrame
    if (frame !== undefined && frame.url !== '') return frame
  }
  return undefined
}

/**
 * The package a frame belongs to: an npm package (by its node_modules folder), one of this
 * repository's (`@passkey-id/<folder>`), a Node built-in module (`node:crypto`), or V8's own
 * entries such as `(garbage collector)`. Native code is named after the script that called it.
 */
function packageOf(frame: CallFrame, caller: CallFrame | undefined): string {
  if (frame.url !== '') return scriptPackage(frame.url)
  if (frame.functionName.startsWith('(') && frame.functionName !== '(anonymous)')
    return frame.functionName
  return `native, called from ${caller === undefined ? '?' : scriptPackage(caller.url)}`
}

function scriptPackage(url: string): string {
  if (url.startsWith('node:'))
    return `node:${
      url
        .slice(5)
        .replace(/^internal\//, '')
        .split('/')[0]
    }`
  const path = url.startsWith('file:') ? fileURLToPath(url) : url
  const modules = path.lastIndexOf('/node_modules/')
  if (modules >= 0) {
    const [scope = '', name = ''] = path.slice(modules + 14).split('/')
    return scope.startsWith('@') ? `${scope}/${name}` : scope
  }
  const [area, folder] = relative(ROOT, path).split('/')
  return area === 'packages' || area === 'examples' ? `@passkey-id/${folder}` : (area ?? path)
}

function functionOf(frame: CallFrame, caller: CallFrame | undefined): string {
  const name = frame.functionName || '(anonymous)'
  if (frame.url === '')
    return caller === undefined ? name : `${name} (native) ← ${describe(caller)}`
  return `${name} ${scriptPackage(frame.url)}/${basename(frame.url)}:${frame.lineNumber + 1}`
}

function describe(frame: CallFrame): string {
  return `${frame.functionName || '(anonymous)'} ${scriptPackage(frame.url)}/${basename(frame.url)}`
}
