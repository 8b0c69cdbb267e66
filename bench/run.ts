/**
 * `npm run bench`: what the passkeyId integration costs a Fastify API, measured in one run on one
 * machine with one load generator (autocannon, in its own process), the same connections and the
 * same duration per scenario:
 *
 * 1. a bare Fastify route (the ceiling);
 * 2. `GET /me` behind `app.authenticate`, the same token on every request (cache warm);
 * 3. the same route with a new token on every request (cache cold: one verification each);
 * 4. the seed's pattern: a route calling the provider's userinfo on every request.
 *
 * Then a longer run of (2) watching the server's resident memory. The provider, each server under
 * test and the load generator run in separate processes. Prints a table and writes it to
 * bench/results.md; any failed request is flagged there and makes the exit code 1.
 *
 * Env: BENCH_DURATION (seconds per scenario, default 10), BENCH_MEMORY_DURATION (default 60),
 * BENCH_CONNECTIONS (default 50), BENCH_WARMUP (seconds of load before each measurement, default 2),
 * BENCH_TOKENS (tokens minted for (3), default 5000).
 */
import { type ChildProcess, fork } from 'node:child_process'
import { once } from 'node:events'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { freePort } from '../packages/testing/src/freePort.ts'
import type { LoadRequest, LoadResult } from './load.ts'
import type { ServerKind, ServerStats } from './server.ts'
import { BENCH_APP, signUpForTokens } from './tokens.ts'

const DURATION = positive('BENCH_DURATION', 10)
const MEMORY_DURATION = positive('BENCH_MEMORY_DURATION', 60)
const CONNECTIONS = positive('BENCH_CONNECTIONS', 50)
const WARMUP = positive('BENCH_WARMUP', 2)
const TOKENS = positive('BENCH_TOKENS', 5000)
const ROOT = new URL('..', import.meta.url).pathname

function positive(name: string, fallback: number): number {
  const value = Number(process.env[name] ?? fallback)
  if (!(value > 0)) throw new Error(`${name} must be a positive number, not "${process.env[name]}"`)
  return value
}

/** Runs a TypeScript file of this repository in a new Node process (through tsx), with IPC. */
function spawnTs(file: string, args: string[] = [], env: Record<string, string> = {}) {
  return fork(join(ROOT, file), args, {
    execArgv: ['--import', 'tsx'],
    env: { ...process.env, ...env },
  })
}

/** The next IPC message from `child`; fails if it exits first. */
function nextMessage<T>(child: ChildProcess): Promise<T> {
  return new Promise((resolve, reject) => {
    const onMessage = (message: unknown) => {
      child.off('exit', onExit)
      resolve(message as T)
    }
    const onExit = (code: number | null) => {
      child.off('message', onMessage)
      reject(new Error(`${child.spawnargs.slice(-2).join(' ')} exited (${code}) before answering`))
    }
    child.once('message', onMessage)
    child.once('exit', onExit)
  })
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return
  child.kill('SIGTERM')
  await once(child, 'exit')
}

/** The provider from its CLI, on a free port with a new SQLite file, logging nothing. */
async function startProvider() {
  const dir = await mkdtemp(join(os.tmpdir(), 'passkey-id-bench-'))
  const port = await freePort()
  const child = spawnTs('packages/provider/src/cli.ts', [], {
    PORT: String(port),
    DATABASE_URL: join(dir, 'provider.db'),
    LOG_LEVEL: 'silent',
    // Long enough that no token minted at the start expires during the run.
    ACCESS_TOKEN_TTL: '3600',
  })
  const issuer = `http://localhost:${port}`
  for (let attempt = 0; ; attempt += 1) {
    if (child.exitCode !== null) throw new Error(`the provider exited (${child.exitCode})`)
    const ready = await fetch(`${issuer}/.well-known/openid-configuration`).then(
      (response) => response.ok,
      () => false,
    )
    if (ready) break
    if (attempt > 150) throw new Error('the provider did not start within 30 s')
    await sleep(200)
  }
  return {
    issuer,
    close: async () => {
      await stop(child)
      await rm(dir, { recursive: true, force: true })
    },
  }
}

/** A server under test (`server.ts`) in its own process. */
async function startServer(kind: ServerKind, issuer: string) {
  const child = spawnTs('bench/server.ts', [kind], { ISSUER: issuer, APP_URL: BENCH_APP })
  const { port } = await nextMessage<{ port: number }>(child)
  return {
    base: `http://127.0.0.1:${port}`,
    stats: () => {
      child.send('stats')
      return nextMessage<ServerStats>(child)
    },
    stop: () => stop(child),
  }
}

/** One autocannon run in its own process (`load.ts`). */
async function load(request: LoadRequest): Promise<LoadResult> {
  const child = spawnTs('bench/load.ts')
  child.send(request)
  const result = await nextMessage<LoadResult>(child)
  // The next run starts only once this load generator is gone.
  if (child.exitCode === null) await once(child, 'exit')
  return result
}

/**
 * One request before the load, which must succeed: a benchmark of error responses measures nothing,
 * so a broken setup stops the run here rather than producing a table.
 */
async function expectOk(url: string, token: string, check: (body: unknown) => boolean) {
  const response = await fetch(url, { headers: { authorization: `Bearer ${token}` } })
  const body: unknown = await response.json().catch(() => undefined)
  if (response.status !== 200 || !check(body))
    throw new Error(`${url} answered ${response.status} ${JSON.stringify(body)}`)
}

interface Scenario {
  name: string
  result: LoadResult
  /** CPU the server under test used during the measurement, in cores. */
  serverCpu: number
}

/** A scenario: which server, which route, which tokens, and what a right answer looks like. */
interface ScenarioSpec {
  name: string
  kind: ServerKind
  path: string
  /** One token (sent on every request) or a pool (a new one per request). */
  tokens: string[]
  check: (body: unknown) => boolean
}

/**
 * Starts the scenario's server, checks one request, warms it up (JIT, discovery, connections) for
 * BENCH_WARMUP seconds with `warmToken` (not one of a pool's), measures, and stops the server.
 */
async function measure(spec: ScenarioSpec, issuer: string, warmToken: string): Promise<Scenario> {
  console.log(`\n${spec.name}`)
  const server = await startServer(spec.kind, issuer)
  try {
    const url = `${server.base}${spec.path}`
    await expectOk(url, warmToken, spec.check)
    const base = { url, connections: CONNECTIONS }
    await load({ ...base, duration: WARMUP, tokens: [warmToken] })
    // The server idles while the load generator starts, so its CPU time over the whole span, divided
    // by the load's duration, is what serving took.
    const before = await server.stats()
    const result = await load({ ...base, duration: DURATION, tokens: spec.tokens })
    const serverCpu = ((await server.stats()).cpu - before.cpu) / 1e6 / result.duration
    console.log(
      `  ${result.requestsPerSecond.toFixed(0)} req/s, p50 ${result.p50} ms, p99 ${result.p99} ms, ${result.requests} requests in ${result.duration.toFixed(1)} s, status codes ${JSON.stringify(result.statusCodes)}, CPU server ${serverCpu.toFixed(2)} / load ${result.cpu.toFixed(2)}`,
    )
    if (failures(result) > 0)
      console.error(
        `  WARNING: ${result.errors} connection errors, ${result.non2xx} non-2xx responses, ${result.tokensReused} reused tokens: this scenario measured failures`,
      )
    return { name: spec.name, result, serverCpu }
  } finally {
    await server.stop()
  }
}

interface MemoryRun {
  result: LoadResult
  start: number
  peak: number
  /** RSS at `baselineSecond` into the load, which `end` is compared with. */
  baseline: number
  baselineSecond: number
  end: number
  /** `[second, rss]` once a second during the load. */
  samples: [number, number][]
}

/** Scenario (2) for BENCH_MEMORY_DURATION seconds on a fresh server, sampling its RSS every second. */
async function memoryRun(
  issuer: string,
  token: string,
  check: (body: unknown) => boolean,
): Promise<MemoryRun> {
  console.log(`\nmemory: (2) for ${MEMORY_DURATION} s`)
  const server = await startServer('plugin', issuer)
  try {
    const url = `${server.base}/me`
    await expectOk(url, token, check)
    const start = (await server.stats()).rss
    const samples: [number, number][] = []
    let running = true
    const loading = load({
      url,
      connections: CONNECTIONS,
      duration: MEMORY_DURATION,
      tokens: [token],
    })
    const finished = () => {
      running = false
    }
    loading.then(finished, finished)
    const began = Date.now()
    while (running) {
      await sleep(1000)
      if (running) samples.push([(Date.now() - began) / 1000, (await server.stats()).rss])
    }
    const result = await loading
    const last = await server.stats()
    // After the first 10 s (or half the run, if shorter) JIT, pools and caches should have settled.
    const baselineSecond = Math.min(10, MEMORY_DURATION / 2)
    const baseline =
      samples.find(([second]) => second >= baselineSecond)?.[1] ?? samples.at(-1)?.[1] ?? start
    const peak = Math.max(last.maxRss, ...samples.map(([, rss]) => rss))
    return { result, start, peak, baseline, baselineSecond, end: last.rss, samples }
  } finally {
    await server.stop()
  }
}

/** Microseconds of the server's CPU per request: less noisy than requests/s when cores are shared. */
const cpuPerRequest = ({ result, serverCpu }: Pick<Scenario, 'result' | 'serverCpu'>) =>
  (serverCpu * 1e6) / result.requestsPerSecond
const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`
const failures = (result: LoadResult) => result.errors + result.non2xx + result.tokensReused

/**
 * A Markdown table, first column left-aligned and the others right-aligned, padded as Biome formats
 * it, so `npm run lint` accepts the written results.md.
 */
function markdownTable(header: string[], rows: string[][]): string[] {
  const widths = header.map((title, i) =>
    Math.max(title.length, 3, ...rows.map((row) => row[i]?.length ?? 0)),
  )
  const line = (cells: string[]) =>
    `| ${cells.map((cell, i) => (i === 0 ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0))).join(' | ')} |`
  const rule = widths.map((width, i) => (i === 0 ? '-'.repeat(width) : `${'-'.repeat(width - 1)}:`))
  return [line(header), `| ${rule.join(' | ')} |`, ...rows.map(line)]
}

function report(
  scenarios: Scenario[],
  memory: MemoryRun,
  minting: { tokens: number; seconds: number },
): string {
  const ceiling = scenarios[0]?.result.requestsPerSecond ?? Number.NaN
  const rows = scenarios.map(({ name, result, serverCpu }) => [
    name,
    result.requestsPerSecond.toFixed(0),
    String(result.p50),
    String(result.p99),
    `${result.errors} / ${result.non2xx}${failures(result) > 0 ? ' ⚠' : ''}`,
    (result.requestsPerSecond / ceiling).toFixed(2),
    `${serverCpu.toFixed(2)} / ${result.cpu.toFixed(2)}`,
    cpuPerRequest({ result, serverCpu }).toFixed(0),
  ])
  const ratio = (scenarios[1]?.result.requestsPerSecond ?? 0) / ceiling
  const [bare, warm] = scenarios
  const cpuRatio = bare && warm ? cpuPerRequest(bare) / cpuPerRequest(warm) : Number.NaN
  const cold = scenarios[2]?.result
  const drift = (memory.end - memory.baseline) / memory.baseline
  const cpus = os.cpus()
  const warnings = [...scenarios, { name: 'memory run of (2)', result: memory.result }]
    .filter(({ result }) => failures(result) > 0)
    .map(
      ({ name, result }) =>
        `> **WARNING: ${name} had ${result.errors} connection errors, ${result.non2xx} non-2xx responses and ${result.tokensReused} reused tokens (status codes ${JSON.stringify(result.statusCodes)}): its numbers measure failures, not the route.**`,
    )
  return [
    '# passkey-id benchmark',
    '',
    `${new Date().toISOString()} · ${cpus.length} × ${cpus[0]?.model ?? 'unknown CPU'} · Node ${process.version} · autocannon, ${CONNECTIONS} connections, ${DURATION} s per scenario after ${WARMUP} s of warm-up, memory run ${MEMORY_DURATION} s. Provider, server under test and load generator each in their own process (sharing the machine's cores).`,
    '',
    ...(warnings.length > 0 ? [...warnings, ''] : []),
    ...markdownTable(
      [
        'scenario',
        'requests/s',
        'p50 ms',
        'p99 ms',
        'errors / non-2xx',
        '× (1)',
        'CPU cores: server / load generator',
        'server CPU µs / request',
      ],
      rows,
    ),
    '',
    `Target (2) / (1) >= 0.8: **${ratio.toFixed(2)}, ${ratio >= 0.8 ? 'met' : 'NOT met'}** (by server CPU per request, ${cpuRatio.toFixed(2)}).`,
    '',
    'CPU cores: how much of a core the server under test and the load generator each used while measuring; both are single-threaded, so near 1.00 that process was the limit. The provider (busy in (3) and (4)) is a third process on the same cores. When server and load generator together use about all the cores, requests/s measure the machine as much as the route, and CPU per request is the better comparison.',
    '',
    `(3): ${minting.tokens} tokens minted beforehand in ${minting.seconds.toFixed(0)} s; ${cold?.requests ?? 0} requests in ${cold?.duration.toFixed(1)} s, each with a token of its own${(cold?.tokensReused ?? 0) > 0 ? ` except ${cold?.tokensReused} that reused one` : ''}${(cold?.duration ?? 0) < DURATION * 0.95 ? ' (the pool ran out before the duration: raise BENCH_TOKENS)' : ''}.`,
    '',
    `Memory of the server of (2) over ${MEMORY_DURATION} s (${memory.result.requestsPerSecond.toFixed(0)} req/s, ${memory.result.requests} requests): RSS ${mb(memory.start)} at start, ${mb(memory.baseline)} after ${memory.baselineSecond} s, ${mb(memory.end)} at the end, peak ${mb(memory.peak)}: end is ${(drift * 100).toFixed(1)}% from the ${memory.baselineSecond} s value, **${Math.abs(drift) <= 0.1 ? 'flat' : 'NOT flat'}** (within 10%).`,
    '',
    `RSS every second: ${memory.samples.map(([, rss]) => (rss / 1024 / 1024).toFixed(0)).join(' ')} MB`,
    '',
  ].join('\n')
}

const provider = await startProvider()
try {
  console.log(`provider at ${provider.issuer}; signing up`)
  const account = await signUpForTokens(provider.issuer)
  const warm = account.firstToken
  const isSub = (body: unknown) => (body as { sub?: unknown } | undefined)?.sub === account.sub

  // (3)'s tokens are minted beforehand, at the provider's pace (tens to hundreds a second); if they
  // run out before BENCH_DURATION, (3) ends early and the report says so.
  console.log(`minting ${TOKENS} tokens`)
  const mintingStart = Date.now()
  const pool = await account.mint(TOKENS)
  const minting = { tokens: pool.length, seconds: (Date.now() - mintingStart) / 1000 }
  console.log(`  ${minting.seconds.toFixed(1)} s`)

  const specs: ScenarioSpec[] = [
    {
      name: '(1) bare Fastify route',
      kind: 'bare',
      path: '/hello',
      tokens: [warm],
      check: (body) => (body as { hello?: unknown } | undefined)?.hello === 'world',
    },
    {
      name: '(2) /me, same token (warm)',
      kind: 'plugin',
      path: '/me',
      tokens: [warm],
      check: isSub,
    },
    {
      name: '(3) /me, new token per request (cold)',
      kind: 'plugin',
      path: '/me',
      tokens: pool,
      check: isSub,
    },
    {
      name: '(4) seed pattern: userinfo per request',
      kind: 'proxy',
      path: '/userinfo',
      tokens: [warm],
      check: isSub,
    },
  ]
  const scenarios: Scenario[] = []
  for (const spec of specs) scenarios.push(await measure(spec, provider.issuer, warm))
  const memory = await memoryRun(provider.issuer, warm, isSub)

  const markdown = report(scenarios, memory, minting)
  await writeFile(join(ROOT, 'bench/results.md'), markdown)
  console.log(`\n${markdown}\nwritten to bench/results.md`)
  if ([...scenarios.map((s) => s.result), memory.result].some((r) => failures(r) > 0)) {
    console.error(
      '\nWARNING: some requests failed; see the table. These numbers are not a benchmark.',
    )
    process.exitCode = 1
  }
} finally {
  await provider.close()
}
