import { spawn } from 'node:child_process'
import { statCpuMs } from './processes.ts'

/** What one wrk run measured. */
export interface WrkResult {
  requestsPerSecond: number
  requests: number
  /** Latency percentiles, in milliseconds. */
  p50: number
  p99: number
  /** Responses other than 2xx and 3xx, and socket errors (connect, read, write, timeout). */
  non2xx: number
  socketErrors: number
  /** CPU time wrk used, in milliseconds. */
  cpuMs: number
}

// wrk prints a line per run, then this shell prints its own stat line: its waited-for children's CPU
// (cutime + cstime) is what wrk used, with no other tool than /proc.
const WRAPPER = 'wrk "$@"; code=$?; read -r stat < /proc/$$/stat; echo "stat $stat"; exit $code'

/**
 * Runs wrk (C, one thread: it is not the limit the way a Node load generator is on two cores)
 * against `url` with one request header (`Authorization: Bearer …` or `Cookie: …`), and parses what
 * it prints.
 */
export async function runWrk(
  url: string,
  options: { seconds: number; connections: number; header: string },
): Promise<WrkResult> {
  const args = ['-t1', `-c${options.connections}`, `-d${options.seconds}s`, '--latency']
  const child = spawn('sh', ['-c', WRAPPER, 'sh', ...args, '-H', options.header, url], {
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  let output = ''
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    output += chunk
  })
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve))
  // 127 is the shell's "command not found".
  if (code === 127)
    throw new Error('wrk is not installed: apt-get install wrk (.ci/run installs it)')
  if (code !== 0) throw new Error(`wrk exited (${code}): ${output}`)

  const number = (pattern: RegExp) => Number(pattern.exec(output)?.[1] ?? 0)
  const stat = /^stat (.*)$/m.exec(output)?.[1]
  if (stat === undefined) throw new Error(`no CPU figure after wrk's output: ${output}`)
  const socketErrors = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(
    output,
  )
  return {
    requestsPerSecond: number(/^Requests\/sec:\s+([\d.]+)/m),
    requests: number(/^\s+(\d+) requests in/m),
    p50: latencyMs(output, '50%'),
    p99: latencyMs(output, '99%'),
    non2xx: number(/Non-2xx or 3xx responses: (\d+)/),
    socketErrors:
      socketErrors === null ? 0 : socketErrors.slice(1).reduce((sum, n) => sum + Number(n), 0),
    cpuMs: statCpuMs(stat, 'waited children'),
  }
}

/** A line of wrk's latency distribution (`    50%  512.00us`), in milliseconds. */
function latencyMs(output: string, percentile: string): number {
  const match = new RegExp(`^\\s+${percentile}\\s+([\\d.]+)(us|ms|s)$`, 'm').exec(output)
  if (match === null) return Number.NaN
  const scale = { us: 1e-3, ms: 1, s: 1e3 }[match[2] as 'us' | 'ms' | 's']
  return Number(match[1]) * scale
}
