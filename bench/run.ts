/**
 * `npm run bench`: issue 9's speed and memory figures, measured in one run on one machine. Every
 * server runs in a process of its own; this process is the load generator for sign-ins, and wrk (C)
 * is the one for the API route.
 *
 * 1. Sign-ins: complete passkey sign-ins per second at the provider (its CLI, a new SQLite file,
 *    LOG_LEVEL=warn) next to a bare oidc-provider (`bareProvider.ts`) doing the same code flow for
 *    the same app, in memory and on the provider's own SQLite storage, with 1 and with 8 sign-in
 *    loops, the three servers in turn round by round.
 *    Server CPU per sign-in comes from /proc; latencies per sign-in and per step.
 * 2. Profile: both servers again under `node --cpu-prof`, one sign-in at a time. The profiler stamps
 *    its samples with the monotonic clock the steps are timed with, so its samples are cut by step.
 * 3. Memory: the provider's RSS under BENCH_MEMORY_SECONDS of sign-ins, 8 at a time.
 * 4. API: the demo's `GET /userinfo` (a cached token verdict) under wrk, run alone and as `npm start`
 *    runs it, next to a bare Fastify route with the same logger (`bareRoute.ts`), alternating.
 * 5. SQL: the statements one sign-in runs at the provider, counted exactly (`countStatements.ts`).
 * 6. Databases: the provider's sign-ins on SQLite, on PostgreSQL with one instance, and with two
 *    instances on one PostgreSQL schema behind a round-robin proxy (`databaseSignIns.ts`), at 1 and 8
 *    sign-in loops, round by round in turn; then where PostgreSQL's time goes. Needs the PostgreSQL
 *    of the tests (PASSKEY_ID_TEST_POSTGRES_URL, default postgres://postgres@127.0.0.1:5432/test) on
 *    this machine, where it makes a schema per setup and drops it after.
 *
 * Prints the tables and writes them to bench/results.md, into the section of this Node major
 * version (the sections of other versions stay).
 *
 * Env, in seconds unless said: BENCH_SECONDS per sign-in measurement (5), BENCH_ROUNDS per
 * comparison (3), BENCH_WARMUP (3; sign-ins also warm up until 300 are done), BENCH_PROFILE_SECONDS
 * per server (6), BENCH_MEMORY_SECONDS (60), BENCH_WRK_SECONDS (8), BENCH_DATABASE_SECONDS per
 * database measurement (BENCH_SECONDS), BENCH_DATABASES=off to leave part 6 out: about nine minutes
 * on a quiet machine. A quick look in about three: BENCH_SECONDS=2 BENCH_ROUNDS=1
 * BENCH_PROFILE_SECONDS=3 BENCH_MEMORY_SECONDS=10 BENCH_WRK_SECONDS=2 npm run bench
 *
 * Every provider started here runs with RATE_LIMITS=off (PROVIDER_RATE_LIMITS under `npm start`).
 */
import { mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import { join } from 'node:path'
import { createSoftwareAuthenticator } from '@passkey-id/authenticator'
import { freePort, TestBrowser } from '@passkey-id/testing/http'
import { discoverAsApp, signInWithCodeFlow } from '@passkey-id/testing/sign-in'
import { BENCH_SCOPE } from './benchApp.ts'
import { countStatements, statementTables } from './countStatements.ts'
import { type ProfileSummary, readCpuProfile, summariseProfile } from './cpuProfile.ts'
import { type DatabaseResults, databaseSignIns } from './databaseSignIns.ts'
import { databaseTables } from './databaseTables.ts'
import { askHeapSpaces, type HeapSpaces } from './heapSpaces.ts'
import { leanFetch } from './leanFetch.ts'
import {
  processCpuMs,
  processMemory,
  ROOT,
  startNpmStart,
  startTsServer,
  threadsCpuMs,
} from './processes.ts'
import { fixed, markdownTable, median, percentile, writeResults } from './report.ts'
import {
  bareTarget,
  monotonicMicros,
  providerTarget,
  runSignIns,
  type SignInTarget,
  STEPS,
  type Step,
  warmUp,
} from './signIns.ts'
import { type RunOptions, type Server, startBenchProvider } from './startBenchProvider.ts'
import { runWrk, type WrkResult } from './wrk.ts'

const SECONDS = setting('BENCH_SECONDS', 5)
const ROUNDS = setting('BENCH_ROUNDS', 3)
const WARMUP = setting('BENCH_WARMUP', 3)
const PROFILE_SECONDS = setting('BENCH_PROFILE_SECONDS', 6)
const MEMORY_SECONDS = setting('BENCH_MEMORY_SECONDS', 60)
const WRK_SECONDS = setting('BENCH_WRK_SECONDS', 8)
const DATABASE_SECONDS = setting('BENCH_DATABASE_SECONDS', SECONDS)
const DATABASES = process.env.BENCH_DATABASES?.trim().toLowerCase() !== 'off'
/** Statements of each kind timed one at a time on each database, in part 6. */
const LATENCY_STATEMENTS = 1000
const CONCURRENCIES = [1, 8]
const MAX_CONCURRENCY = Math.max(...CONCURRENCIES)
const WRK_CONNECTIONS = 50
const WARMUP_SIGN_INS = 300
/** Issue 9's targets. */
const SIGN_IN_TARGET = 0.7
const API_TARGET = 0.8
/** Above this share of a core, the load generator may be what limits a run. */
const GENERATOR_LIMIT = 0.85

function setting(name: string, fallback: number): number {
  const value = Number(process.env[name] ?? fallback)
  if (!(value > 0)) throw new Error(`${name} must be a positive number, not "${process.env[name]}"`)
  return value
}

const log = (line: string) => console.log(line)

/**
 * The bare oidc-provider, with its in-memory storage, or with `databaseUrl` on the provider's own
 * storage (its `oidc_records` adapter and migrations): the yardstick for what storage costs.
 */
async function startBareProvider(
  options: RunOptions & { databaseUrl?: string } = {},
): Promise<Server> {
  const { databaseUrl, ...run } = options
  const port = await freePort()
  const server = await startTsServer('bench/bareProvider.ts', {
    ...run,
    env: {
      PORT: String(port),
      ...(databaseUrl === undefined ? {} : { DATABASE_URL: databaseUrl }),
    },
  })
  return { ...server, issuer: `http://localhost:${port}` }
}

/** A server taking sign-ins, and its process. */
interface Contender {
  target: SignInTarget
  pid: number
}

/** One timed run of sign-ins at one server. */
interface Round {
  signInsPerSecond: number
  serverCpuMsPerSignIn: number
  /** Cores busy during the run: the server's, and this process's (the load generator). */
  serverCores: number
  generatorCores: number
}

/** The rounds of one server at one concurrency, with every sign-in's latency. */
interface Series {
  rounds: Round[]
  /** Milliseconds per sign-in. */
  latencies: number[]
  /** Milliseconds per step. */
  steps: Map<Step, number[]>
}

async function measureSignIns(contender: Contender, concurrency: number, series: Series) {
  const serverBefore = processCpuMs(contender.pid)
  const generatorBefore = processCpuMs(process.pid)
  const run = await runSignIns(contender.target, concurrency, SECONDS)
  const serverMs = processCpuMs(contender.pid) - serverBefore
  const generatorMs = processCpuMs(process.pid) - generatorBefore
  const count = run.signIns.length
  series.rounds.push({
    signInsPerSecond: count / run.seconds,
    serverCpuMsPerSignIn: serverMs / count,
    serverCores: serverMs / 1000 / run.seconds,
    generatorCores: generatorMs / 1000 / run.seconds,
  })
  for (const spans of run.signIns) {
    series.latencies.push(((spans.at(-1)?.end ?? 0) - (spans[0]?.start ?? 0)) / 1000)
    for (const { step, start, end } of spans) {
      const durations = series.steps.get(step) ?? []
      durations.push((end - start) / 1000)
      series.steps.set(step, durations)
    }
  }
  const round = series.rounds.at(-1)
  log(
    `  ${contender.target.name}, c=${concurrency}: ${fixed(round?.signInsPerSecond, 1)} sign-ins/s, ${fixed(round?.serverCpuMsPerSignIn, 2)} server CPU ms each, CPU cores server ${fixed(round?.serverCores, 2)} / generator ${fixed(round?.generatorCores, 2)}`,
  )
}

/** Warm-up before a server's sign-ins count: BENCH_WARMUP seconds and WARMUP_SIGN_INS at least. */
const warmUpAt = (target: SignInTarget) => warmUp(target, MAX_CONCURRENCY, WARMUP, WARMUP_SIGN_INS)

/** CPU per step (milliseconds summed over `signIns` sign-ins), from counters or from a profile. */
interface StepCosts {
  byStep: Map<string, number>
  signIns: number
}

const perSignIn = (costs: StepCosts, step: string) => {
  const ms = costs.byStep.get(step)
  return ms === undefined ? undefined : ms / costs.signIns
}

/**
 * The server's CPU for each step, one sign-in at a time for BENCH_PROFILE_SECONDS, read from the
 * scheduler's counters between steps (so this pass's latencies are not the table's).
 */
async function stepCpu(contender: Contender): Promise<StepCosts> {
  const byStep = new Map<string, number>()
  let last = 0
  const run = await runSignIns(contender.target, 1, PROFILE_SECONDS, (ended) => {
    const now = threadsCpuMs(contender.pid)
    if (ended !== undefined) byStep.set(ended, (byStep.get(ended) ?? 0) + now - last)
    last = now
  })
  return { byStep, signIns: run.signIns.length }
}

/** The servers of part 1, in the order of their series: the provider and its two yardsticks. */
const SIGN_IN_SERVERS = ['provider', 'bare oidc-provider', 'bare oidc-provider on SQLite'] as const

/** What part 1 measured. */
interface SignInResults {
  /** Per concurrency: a series per server of `SIGN_IN_SERVERS`. */
  series: Map<number, [Series, Series, Series]>
  /** The provider's and the bare (in-memory) library's CPU by step. */
  stepCpu: [StepCosts, StepCosts]
}

/**
 * Part 1: the provider, the bare library, and the bare library on the provider's storage (a SQLite
 * file through the provider's adapter), round by round in turn, at each concurrency.
 */
async function signInPart(): Promise<SignInResults> {
  log('\n## Sign-ins')
  const dir = await mkdtemp(join(os.tmpdir(), 'passkey-id-bench-bare-'))
  const servers = await Promise.all([
    startBenchProvider(),
    startBareProvider(),
    startBareProvider({ databaseUrl: join(dir, 'bare.db') }),
  ])
  const [provider, bare, bareOnSqlite] = servers
  try {
    const contenders: [Contender, Contender, Contender] = [
      { target: await providerTarget(provider.issuer, MAX_CONCURRENCY), pid: provider.pid },
      { target: await bareTarget(bare.issuer), pid: bare.pid },
      {
        target: { ...(await bareTarget(bareOnSqlite.issuer)), name: SIGN_IN_SERVERS[2] },
        pid: bareOnSqlite.pid,
      },
    ]
    for (const { target } of contenders) await warmUpAt(target)
    const series = new Map<number, [Series, Series, Series]>()
    for (const concurrency of CONCURRENCIES) {
      const each: [Series, Series, Series] = [newSeries(), newSeries(), newSeries()]
      for (let round = 0; round < ROUNDS; round += 1) {
        for (const [index, contender] of contenders.entries())
          await measureSignIns(contender, concurrency, each[index] as Series)
      }
      series.set(concurrency, each)
    }
    return { series, stepCpu: [await stepCpu(contenders[0]), await stepCpu(contenders[1])] }
  } finally {
    await Promise.all(servers.map((server) => server.stop()))
    await rm(dir, { recursive: true, force: true })
  }
}

const newSeries = (): Series => ({ rounds: [], latencies: [], steps: new Map() })

/** Where one server's CPU went during sign-ins one at a time, from its CPU profile. */
interface Profiled {
  summary: ProfileSummary
  signIns: number
}

/**
 * Part 2: each server under `--cpu-prof`, one sign-in at a time after a warm-up. Samples outside
 * the timed sign-ins (start-up, account preparation, warm-up) are left out.
 */
async function profilePart(): Promise<{ provider: Profiled; bare: Profiled }> {
  log('\n## Profiles')
  const profile = async (
    start: (options: RunOptions) => Promise<Server>,
    prepare: typeof bareTarget,
  ) => {
    const dir = await mkdtemp(join(os.tmpdir(), 'passkey-id-bench-profile-'))
    try {
      const server = await start({
        nodeFlags: ['--cpu-prof', `--cpu-prof-dir=${dir}`, '--cpu-prof-interval=250'],
      })
      let signIns: Awaited<ReturnType<typeof runSignIns>>['signIns']
      try {
        const target = await prepare(server.issuer)
        await warmUpAt(target)
        signIns = (await runSignIns(target, 1, PROFILE_SECONDS)).signIns
      } finally {
        // The profile is written when the process exits.
        await server.stop()
      }
      const windows = signIns.flat().map(({ step, start, end }) => ({ label: step, start, end }))
      const summary = summariseProfile(await readCpuProfile(dir), windows)
      log(
        `  ${signIns.length} sign-ins profiled, ${fixed(summary.totalMs / signIns.length, 2)} CPU ms each (main thread)`,
      )
      return { summary, signIns: signIns.length }
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  }
  return {
    provider: await profile(startBenchProvider, (issuer) =>
      providerTarget(issuer, MAX_CONCURRENCY),
    ),
    bare: await profile(startBareProvider, bareTarget),
  }
}

/** Resident memory of the provider before and during a long run of sign-ins. */
interface MemoryRun {
  start: number
  /** `[second, bytes]` once a second during the load. */
  samples: [number, number][]
  end: number
  /** `[second, MB]` of live objects on the main heap after each full collection during the load. */
  heapAfterFullGc: [number, number][]
  /** V8's heap spaces as the load ended: what it reserved, against what survives. */
  heapSpaces: HeapSpaces
  signIns: number
  seconds: number
}

/** A line of `--trace-gc`. */
const GC_TRACE = /^\[\d+:0x[0-9a-f]+\]/
/** A `--trace-gc` line of a full collection: isolate, then heap MB before (committed) -> after. */
const FULL_GC = /^\[\d+:(0x[0-9a-f]+)\].*Mark-Compact.*? ([\d.]+) \(([\d.]+)\) -> ([\d.]+) \(/

/**
 * Part 3: a new provider's RSS once a second under sign-ins, 8 at a time. The provider runs with
 * `--trace-gc` too, whose full collections tell live objects from the heap V8 keeps in reserve:
 * RSS grows while V8 sizes its heap for the load, a leak grows what survives a full collection. At
 * the end, `heapSpacesProbe.ts` tells how much V8 has reserved for each space of its heap.
 */
async function memoryPart(): Promise<MemoryRun> {
  log(`\n## Memory (${MEMORY_SECONDS} s)`)
  let began = 0
  const fullGcs = new Map<string, [number, number][]>()
  const provider = await startBenchProvider({
    nodeFlags: ['--trace-gc'],
    imports: ['bench/heapSpacesProbe.ts'],
    onStdoutLine: (line) => {
      // The provider's own lines (warnings) still reach the terminal; the GC trace does not.
      if (!GC_TRACE.test(line)) log(line)
      const [, isolate = '', , , after] = FULL_GC.exec(line) ?? []
      if (began === 0 || after === undefined) return
      const second = (monotonicMicros() - began) / 1e6
      fullGcs.set(isolate, [...(fullGcs.get(isolate) ?? []), [second, Number(after)]])
    },
  })
  try {
    const target = await providerTarget(provider.issuer, MAX_CONCURRENCY)
    const start = processMemory(provider.pid).rss
    const samples: [number, number][] = []
    began = monotonicMicros()
    const sampler = setInterval(() => {
      samples.push([(monotonicMicros() - began) / 1e6, processMemory(provider.pid).rss])
    }, 1000)
    const run = await runSignIns(target, MAX_CONCURRENCY, MEMORY_SECONDS)
    began = 0
    clearInterval(sampler)
    const end = processMemory(provider.pid).rss
    const heapSpaces = await askHeapSpaces(provider)
    // Module loading runs on a thread of its own, with a small heap: the main thread's is the largest.
    const largest = (gcs: [number, number][]) => Math.max(...gcs.map(([, heap]) => heap))
    const heapAfterFullGc = [...fullGcs.values()].sort((a, b) => largest(b) - largest(a))[0] ?? []
    log(
      `  ${run.signIns.length} sign-ins, RSS ${mb(start)} -> ${mb(end)}, live heap after full GCs ${heapAfterFullGc.map(([, heap]) => heap).join(' ')} MB`,
    )
    return {
      start,
      samples,
      end,
      heapAfterFullGc,
      heapSpaces,
      signIns: run.signIns.length,
      seconds: run.seconds,
    }
  } finally {
    await provider.stop()
  }
}

/** A server of the API part: where wrk sends its requests, and what answers them. */
interface Route {
  name: string
  url: string
  pid: number
  /** The request header that signs the request in: a bearer token or a session cookie. */
  header: string
  runs: { wrk: WrkResult; serverCpuMs: number }[]
}

/**
 * An access token for `app` from the provider at `issuer`: a new account signs up with a passkey and
 * allows the app, as through the demo's docs page.
 */
async function accessTokenFor(issuer: string, app: string): Promise<string> {
  const { tokens } = await signInWithCodeFlow(
    await discoverAsApp(issuer, app),
    new TestBrowser(),
    createSoftwareAuthenticator(),
    {
      redirectUri: `${app}/docs/static/oauth2-redirect.html`,
      scope: BENCH_SCOPE,
      script: { signUp: { username: 'api-bench', email: 'api-bench@example.com' } },
    },
  )
  return tokens.access_token
}

/**
 * One request that must succeed before any load: wrk would happily measure 401s. A 503 (the demo
 * could not ask the provider in time, as happens on a busy machine) gets four more tries. `header`
 * is the line wrk sends: `Authorization: Bearer …` or `Cookie: …`.
 */
async function expectProfile(url: string, header: string): Promise<unknown> {
  const [name = '', value = ''] = header.split(/: (.*)/s)
  for (let attempt = 1; ; attempt += 1) {
    const response = await fetch(url, { headers: { [name]: value } })
    const body = (await response.json().catch(() => undefined)) as { sub?: unknown } | undefined
    if (response.status === 200 && typeof body?.sub === 'string') return body
    if (response.status !== 503 || attempt === 5)
      throw new Error(`${url} answered ${response.status} ${JSON.stringify(body)}`)
    await new Promise((resolve) => setTimeout(resolve, 1000))
  }
}

/** The `Cookie` header of a session the demo at `origin` starts for `authorization` (`POST /session`). */
async function sessionCookieFor(origin: string, authorization: string): Promise<string> {
  const response = await fetch(`${origin}/session`, { method: 'POST', headers: { authorization } })
  const cookie = /^session=[^;]+/.exec(response.headers.get('set-cookie') ?? '')?.[0]
  if (response.status !== 201 || cookie === undefined)
    throw new Error(`POST /session answered ${response.status} without a session cookie`)
  return `Cookie: ${cookie}`
}

/**
 * Part 4: the bare route, the demo alone and the demo under `npm start` with a bearer token, and the
 * demo alone with a session cookie (`POST /session`), in turn, under wrk.
 */
async function apiPart(): Promise<{ routes: Route[]; layout: string }> {
  log('\n## API route')
  const stops: (() => Promise<void>)[] = []
  const dir = await mkdtemp(join(os.tmpdir(), 'passkey-id-bench-api-'))
  try {
    const provider = await startBenchProvider()
    stops.push(provider.stop)
    const demoPort = await freePort()
    const demo = await startTsServer('examples/demo/src/main.ts', {
      env: {
        PORT: String(demoPort),
        ISSUER: provider.issuer,
        DATABASE_URL: join(dir, 'demo.db'),
        LOG_LEVEL: 'warn',
      },
    })
    stops.push(demo.stop)
    const demoUrl = `http://127.0.0.1:${demoPort}/userinfo`
    const demoAuthorization = `Authorization: Bearer ${await accessTokenFor(provider.issuer, `http://localhost:${demoPort}`)}`
    const body = await expectProfile(demoUrl, demoAuthorization)
    const demoCookie = await sessionCookieFor(
      `http://127.0.0.1:${demoPort}`,
      demoAuthorization.slice('Authorization: '.length),
    )
    await expectProfile(demoUrl, demoCookie)

    const barePort = await freePort()
    const bare = await startTsServer('bench/bareRoute.ts', {
      env: { PORT: String(barePort), BODY: JSON.stringify(body) },
    })
    stops.push(bare.stop)

    const [startProviderPort, startDemoPort] = [await freePort(), await freePort()]
    const startIssuer = `http://localhost:${startProviderPort}`
    const startDemo = `http://127.0.0.1:${startDemoPort}/userinfo`
    const npmStart = await startNpmStart(
      {
        PROVIDER_PORT: String(startProviderPort),
        PROVIDER_DATABASE_URL: join(dir, 'start-provider.db'),
        DEMO_PORT: String(startDemoPort),
        DEMO_DATABASE_URL: join(dir, 'start-demo.db'),
        PROVIDER_RATE_LIMITS: 'off',
      },
      startDemoPort,
      async () => {
        const answers = await Promise.all(
          [`${startIssuer}/.well-known/openid-configuration`, startDemo].map((url) =>
            fetch(url).then(
              (response) => response.status,
              () => 0,
            ),
          ),
        )
        return answers[0] === 200 && answers[1] === 401
      },
    )
    stops.push(npmStart.stop)
    const startAuthorization = `Authorization: Bearer ${await accessTokenFor(startIssuer, `http://localhost:${startDemoPort}`)}`
    await expectProfile(startDemo, startAuthorization)
    const demoProcess = npmStart.processes.find(({ pid }) => pid === npmStart.pid)
    const others = npmStart.processes.filter(({ pid }) => pid !== npmStart.pid)
    const layout =
      demoProcess?.ports.includes(startProviderPort) === true
        ? `in the provider's process (\`${demoProcess.script}\`)`
        : `in a process of its own (\`${demoProcess?.script}\`), apart from the provider (${others.map(({ script }) => `\`${script}\``).join(', ')})`
    log(`  npm start runs the demo ${layout}`)

    const routes: Route[] = [
      {
        name: 'bare Fastify route',
        url: `http://127.0.0.1:${barePort}/userinfo`,
        pid: bare.pid,
        header: demoAuthorization,
        runs: [],
      },
      {
        name: 'demo alone (`npm run demo`)',
        url: demoUrl,
        pid: demo.pid,
        header: demoAuthorization,
        runs: [],
      },
      {
        name: 'demo under `npm start`',
        url: startDemo,
        pid: npmStart.pid,
        header: startAuthorization,
        runs: [],
      },
      {
        name: 'demo alone, session cookie',
        url: demoUrl,
        pid: demo.pid,
        header: demoCookie,
        runs: [],
      },
    ]
    const wrkOptions = (route: Route, seconds: number) => ({
      seconds,
      connections: WRK_CONNECTIONS,
      header: route.header,
    })
    for (const route of routes) await runWrk(route.url, wrkOptions(route, WARMUP))
    for (let round = 0; round < ROUNDS; round += 1) {
      for (const route of routes) {
        const before = processCpuMs(route.pid)
        const wrk = await runWrk(route.url, wrkOptions(route, WRK_SECONDS))
        const serverCpuMs = processCpuMs(route.pid) - before
        route.runs.push({ wrk, serverCpuMs })
        log(
          `  ${route.name}: ${fixed(wrk.requestsPerSecond)} req/s, CPU cores server ${fixed(serverCpuMs / 1000 / WRK_SECONDS, 2)} / wrk ${fixed(wrk.cpuMs / 1000 / WRK_SECONDS, 2)}`,
        )
      }
    }
    return { routes, layout }
  } finally {
    for (const stop of stops.reverse()) await stop()
    await rm(dir, { recursive: true, force: true })
  }
}

const mb = (bytes: number) => `${fixed(bytes / 1024 / 1024, 1)} MB`
const roundsOf = (values: number[], digits = 0) => values.map((v) => fixed(v, digits)).join(' / ')

function signInTables(results: SignInResults): string[] {
  const rows: string[][] = []
  const ratios: string[][] = []
  for (const [concurrency, each] of results.series) {
    for (const [index, series] of each.entries()) {
      const rates = series.rounds.map((round) => round.signInsPerSecond)
      const cpu = median(series.rounds.map((round) => round.serverCpuMsPerSignIn))
      rows.push([
        `${SIGN_IN_SERVERS[index]}, c=${concurrency}`,
        fixed(median(rates), 1),
        roundsOf(rates),
        fixed(percentile(series.latencies, 50), 1),
        fixed(percentile(series.latencies, 99), 1),
        fixed(cpu, 2),
        fixed(1000 / cpu),
        fixed(median(series.rounds.map((round) => round.serverCores)), 2),
        fixed(median(series.rounds.map((round) => round.generatorCores)), 2),
      ])
    }
    const [provider, bare, bareOnSqlite] = each
    for (const [yardstick, label] of [
      [bare, `c=${concurrency}`],
      [bareOnSqlite, `c=${concurrency}, bare on SQLite`],
    ] as const) {
      const perRound = provider.rounds.map(
        (round, i) =>
          round.signInsPerSecond / (yardstick.rounds[i]?.signInsPerSecond ?? Number.NaN),
      )
      const cpuRatio =
        median(yardstick.rounds.map((round) => round.serverCpuMsPerSignIn)) /
        median(provider.rounds.map((round) => round.serverCpuMsPerSignIn))
      const generatorBusy = [...provider.rounds, ...yardstick.rounds].some(
        (round) => round.generatorCores > GENERATOR_LIMIT,
      )
      ratios.push([
        label,
        roundsOf(perRound, 2),
        fixed(median(perRound), 2),
        fixed(Math.min(...perRound), 2),
        fixed(cpuRatio, 2),
        concurrency === MAX_CONCURRENCY && yardstick === bare
          ? `${median(perRound) >= SIGN_IN_TARGET ? 'met' : '**not met**'} (≥ ${SIGN_IN_TARGET})`
          : '',
        generatorBusy ? '**yes: the generator may be the limit**' : 'no',
      ])
    }
  }
  return [
    markdownTable(
      [
        'server, concurrency',
        'sign-ins/s (median)',
        'each round',
        'p50 ms',
        'p99 ms',
        'server CPU ms / sign-in',
        'sign-ins / server core-s',
        'server cores',
        'generator cores',
      ],
      rows,
    ),
    markdownTable(
      [
        'provider ÷ bare',
        'each round (sign-ins/s)',
        'median',
        'lowest pair',
        'by server CPU / sign-in',
        'target',
        `generator above ${GENERATOR_LIMIT} core`,
      ],
      ratios,
    ),
  ]
}

function stepTable(results: SignInResults, profiles: { provider: Profiled; bare: Profiled }) {
  const [provider, bare] = results.series.get(1) ?? [newSeries(), newSeries(), newSeries()]
  const [providerCpu, bareCpu] = results.stepCpu
  const profiled = (which: Profiled): StepCosts => ({
    byStep: which.summary.byLabel,
    signIns: which.signIns,
  })
  const total = (costs: StepCosts) =>
    [...costs.byStep.values()].reduce((sum, ms) => sum + ms, 0) / costs.signIns
  const rows = STEPS.map((step) => [
    step,
    fixed(percentile(provider.steps.get(step) ?? [], 50), 2),
    fixed(percentile(bare.steps.get(step) ?? [], 50), 2),
    fixed(perSignIn(providerCpu, step), 2),
    fixed(perSignIn(bareCpu, step), 2),
    fixed(perSignIn(profiled(profiles.provider), step), 2),
    fixed(perSignIn(profiled(profiles.bare), step), 2),
  ])
  rows.push([
    'whole sign-in',
    fixed(percentile(provider.latencies, 50), 2),
    fixed(percentile(bare.latencies, 50), 2),
    fixed(total(providerCpu), 2),
    fixed(total(bareCpu), 2),
    fixed(total(profiled(profiles.provider)), 2),
    fixed(total(profiled(profiles.bare)), 2),
  ])
  const slowest = (costs: StepCosts) =>
    STEPS.map((step) => ({ step, ms: perSignIn(costs, step) ?? 0 })).sort((a, b) => b.ms - a.ms)[0]
  const byCpu = slowest(providerCpu)
  const byProfile = slowest(profiled(profiles.provider))
  const byLatency = STEPS.map((step) => ({
    step,
    ms: percentile(provider.steps.get(step) ?? [], 50),
  })).sort((a, b) => b.ms - a.ms)[0]
  return [
    markdownTable(
      [
        'step (c=1)',
        'provider p50 ms',
        'bare p50 ms',
        'provider CPU ms',
        'bare CPU ms',
        'provider CPU ms (profile)',
        'bare CPU ms (profile)',
      ],
      rows,
    ),
    `CPU ms: the server process's, all threads, from the scheduler's counters read between the steps of one sign-in at a time. Profile: the main thread's samples under \`--cpu-prof\` in the steps' time spans (a thread that waits for a core is sampled where it stopped, often in a socket write, so on a busy machine this runs high). The provider's slowest step by CPU: **${byCpu?.step}** (${fixed(byCpu?.ms, 2)} ms, the bare library ${fixed(byCpu === undefined ? undefined : perSignIn(bareCpu, byCpu.step), 2)}); by the profile: **${byProfile?.step}** (${fixed(byProfile?.ms, 2)} ms); by latency: **${byLatency?.step}** (${fixed(byLatency?.ms, 2)} ms).`,
  ]
}

/** The largest entries of `map`, as rows of name, ms per sign-in and share of the total. */
function topRows(map: Map<string, number>, profiled: Profiled, count: number): string[][] {
  return [...map]
    .sort(([, a], [, b]) => b - a)
    .slice(0, count)
    .map(([name, ms]) => [
      name.replaceAll('|', '\\|'),
      fixed(ms / profiled.signIns, 3),
      `${fixed((100 * ms) / profiled.summary.totalMs, 1)}%`,
    ])
}

function profileTables(profiles: { provider: Profiled; bare: Profiled }): string[] {
  const header = (what: string) => [what, 'CPU ms / sign-in', 'share']
  return [
    `Provider, self time by package (${profiles.provider.signIns} sign-ins, main thread):`,
    markdownTable(
      header('package'),
      topRows(profiles.provider.summary.byPackage, profiles.provider, 14),
    ),
    'Provider, self time by function:',
    markdownTable(
      header('function'),
      topRows(profiles.provider.summary.byFunction, profiles.provider, 20),
    ),
    `Bare oidc-provider, self time by package (${profiles.bare.signIns} sign-ins):`,
    markdownTable(header('package'), topRows(profiles.bare.summary.byPackage, profiles.bare, 8)),
  ]
}

function memoryLines(memory: MemoryRun): string[] {
  const at = (second: number) =>
    memory.samples.find(([time]) => time >= second)?.[1] ?? memory.start
  const settled = Math.min(10, MEMORY_SECONDS / 2)
  const half = MEMORY_SECONDS / 2
  const peak = Math.max(memory.start, memory.end, ...memory.samples.map(([, rss]) => rss))
  const drift = (memory.end - at(settled)) / at(settled)
  const lastHalf = (memory.end - at(half)) / at(half)
  // The first full collections come while caches still fill: the heap is judged from `settled` on.
  const heapSettled = memory.heapAfterFullGc.filter(([second]) => second >= settled)
  const heap = (heapSettled.length >= 2 ? heapSettled : memory.heapAfterFullGc).map(
    ([, live]) => live,
  )
  const heapDrift =
    heap.length < 2 ? Number.NaN : ((heap.at(-1) ?? 0) - (heap[0] ?? 0)) / (heap[0] ?? 1)
  const percent = (share: number) =>
    Number.isNaN(share) ? '–' : `${share >= 0 ? '+' : ''}${fixed(share * 100, 1)}%`
  const verdict = (flat: boolean) => (flat ? 'flat' : '**growing**')
  return [
    markdownTable(
      [
        'provider',
        'start',
        `after ${settled} s`,
        'peak',
        'end',
        `end vs after ${settled} s`,
        'over the last half',
        'live heap after each full GC',
        'sign-ins',
      ],
      [
        [
          `RSS ${verdict(lastHalf <= 0.05)} over the last half, live heap ${heap.length < 2 ? 'not enough full GCs to tell' : verdict(heapDrift <= 0.1)}`,
          mb(memory.start),
          mb(at(settled)),
          mb(peak),
          mb(memory.end),
          percent(drift),
          percent(lastHalf),
          `${memory.heapAfterFullGc.map(([second, value]) => `${fixed(value, 1)} (${fixed(second)} s)`).join(' → ')} MB: ${percent(heapDrift)}`,
          `${memory.signIns} (${fixed(memory.signIns / memory.seconds, 1)}/s)`,
        ],
      ],
    ),
    `RSS flat: the end at most 5% above the value half-way, once V8 has sized its heap for the load (V8 giving memory back is no growth). Live heap: what survives V8's full collections (\`--trace-gc\`, in MB at the second of the load it came), flat when the last is within 10% of the first after ${settled} s; a leak grows it. ${heapReserve(memory.heapSpaces)} RSS every second, MB: ${memory.samples.map(([, rss]) => fixed(rss / 1024 / 1024)).join(' ')}`,
  ]
}

/**
 * Where the RSS at the end of the load is: V8's heap as reserved, its young generation (which V8
 * grows, under a high allocation rate, to collect less often) apart, and what lies outside it.
 */
function heapReserve(spaces: HeapSpaces): string {
  const space = (name: string) => mb(spaces.spaceSize[name] ?? 0)
  return `As the load ended, V8 had reserved ${mb(spaces.heapTotal)} for its heap against the live heap above: ${space('new_space')} for its young generation (grown for the load's rate of allocation, to collect less often) and ${space('old_space')} of old space; ${mb(spaces.rss - spaces.heapTotal)} of the RSS was outside V8's heap (code, Node and its native libraries, SQLite's page cache, threads' stacks).`
}

function apiTable(routes: Route[]): string {
  const bare = routes[0]
  const rows = routes.map((route) => {
    const rates = route.runs.map(({ wrk }) => wrk.requestsPerSecond)
    const perRound = route.runs.map(
      ({ wrk }, i) => wrk.requestsPerSecond / (bare?.runs[i]?.wrk.requestsPerSecond ?? Number.NaN),
    )
    const failures = route.runs.reduce((sum, { wrk }) => sum + wrk.non2xx + wrk.socketErrors, 0)
    return [
      route.name,
      fixed(median(rates)),
      roundsOf(rates),
      route === bare
        ? '1.00'
        : `${fixed(median(perRound), 2)} (lowest ${fixed(Math.min(...perRound), 2)})`,
      fixed(median(route.runs.map(({ wrk }) => wrk.p50)), 2),
      fixed(median(route.runs.map(({ wrk }) => wrk.p99)), 2),
      fixed(median(route.runs.map(({ serverCpuMs, wrk }) => (serverCpuMs * 1000) / wrk.requests))),
      fixed(median(route.runs.map(({ serverCpuMs }) => serverCpuMs / 1000 / WRK_SECONDS)), 2),
      fixed(median(route.runs.map(({ wrk }) => wrk.cpuMs / 1000 / WRK_SECONDS)), 2),
      String(failures),
    ]
  })
  return markdownTable(
    [
      'GET /userinfo',
      'req/s (median)',
      'each round',
      '× bare',
      'p50 ms',
      'p99 ms',
      'server CPU µs / req',
      'server cores',
      'wrk cores',
      'non-2xx + socket errors',
    ],
    rows,
  )
}

/** Part 6: SQLite, PostgreSQL with one instance, two behind the proxy; where PostgreSQL's time goes. */
async function databasePart(): Promise<DatabaseResults> {
  log('\n## Sign-ins on SQLite and PostgreSQL')
  return databaseSignIns({
    seconds: DATABASE_SECONDS,
    rounds: ROUNDS,
    warmupSeconds: WARMUP,
    warmupSignIns: WARMUP_SIGN_INS,
    concurrencies: CONCURRENCIES,
    latencyStatements: LATENCY_STATEMENTS,
    log,
  })
}

// This process is the load generator: the sign-ins' HTTP (TestBrowser, openid-client) goes through
// the leaner client, so that it takes less of the cores the servers need (see leanFetch).
globalThis.fetch = leanFetch
const cpus = os.cpus()
const loadBefore = os.loadavg()
log(
  `Node ${process.version}, ${cpus.length} × ${cpus[0]?.model ?? 'unknown CPU'}, load average ${loadBefore.map((l) => fixed(l, 2)).join(' ')}`,
)
const began = Date.now()
const signIns = await signInPart()
const profiles = await profilePart()
const memory = await memoryPart()
const api = await apiPart()
const databases = DATABASES ? await databasePart() : undefined
const loadAfter = os.loadavg()
const SQL_SIGN_INS = 5
const statements = statementTables(await countStatements(SQL_SIGN_INS))

const apiRatio = median(
  api.routes[2]?.runs.map(
    ({ wrk }, i) =>
      wrk.requestsPerSecond / (api.routes[0]?.runs[i]?.wrk.requestsPerSecond ?? Number.NaN),
  ) ?? [],
)
const section = [
  `## Node ${process.version}`,
  `${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC · ${cpus.length} × ${cpus[0]?.model ?? 'unknown CPU'} · load average ${loadBefore.map((l) => fixed(l, 2)).join(' ')} before, ${loadAfter.map((l) => fixed(l, 2)).join(' ')} after · ${fixed((Date.now() - began) / 1000)} s in all · ${ROUNDS} rounds of ${SECONDS} s per sign-in comparison, ${WARMUP} s warm-up, profile ${PROFILE_SECONDS} s per server, memory ${MEMORY_SECONDS} s, wrk ${WRK_SECONDS} s × ${ROUNDS} rounds.`,
  '### Sign-ins',
  ...signInTables(signIns),
  '### Per step, one sign-in at a time',
  ...stepTable(signIns, profiles),
  ...profileTables(profiles),
  '### SQL statements per sign-in',
  `Counted over ${SQL_SIGN_INS} sign-ins one at a time (\`bench/countStatements.ts\`), by step and by kind; each write commits on its own.`,
  statements.byStep,
  statements.bySql,
  ...(databases === undefined
    ? []
    : [
        '### Sign-ins on SQLite and PostgreSQL',
        `${ROUNDS} rounds of ${DATABASE_SECONDS} s per setup and concurrency, in turn, after a warm-up of each.`,
        ...databaseTables(databases),
      ]),
  `### Provider memory under ${MEMORY_SECONDS} s of sign-ins, ${MAX_CONCURRENCY} at a time`,
  ...memoryLines(memory),
  '### The demo’s `GET /userinfo` under wrk',
  `\`wrk -t1 -c${WRK_CONNECTIONS} -d${WRK_SECONDS}s\` with the demo’s token, or with the session cookie \`POST /session\` gave for it (every such request reads the session’s row; the token sealed there is opened once and remembered); the bare route and the demo at LOG_LEVEL=warn, as \`npm start\` sets it. \`npm start\` runs the demo ${api.layout}. Target for the demo under \`npm start\`: ≥ ${API_TARGET} × bare, **${apiRatio >= API_TARGET ? 'met' : 'not met'}** (${fixed(apiRatio, 2)}).`,
  apiTable(api.routes),
].join('\n\n')

const intro = `# passkey-id benchmark

\`npm run bench\` writes this file: one section per Node major version, each replaced by the next run on that version (\`bench/run.ts\` says what is measured and how to shorten a run). The machine is shared and noisy: each section gives its load average, and its comparisons are ratios measured in the same run, alternating.

- **Sign-ins**: complete passkey sign-ins, each in a new browser (no cookies) for an account whose passkey and consent were prepared before timing: authorize, sign-in page (which carries the sign-in options), the passkey's answer (a software authenticator), back to the app, code for tokens (PKCE S256, the ID token checked by openid-client), userinfo. The provider runs from its CLI with a new SQLite file at LOG_LEVEL=warn; the bare oidc-provider (same version, in-memory storage, a login interaction that signs in and consents at once) serves the same code flow to the same app; and the same bare library again on the provider's own storage (a SQLite file through the provider's \`oidc_records\` adapter and migrations), to tell what storage costs from what the provider adds. Each server runs in a process and a session of its own, as \`npm start\`'s do (the kernel's autogroups then share the cores out to them alike); rounds take the servers in turn, and "lowest pair" is the lowest per-round ratio. Server CPU comes from /proc/<pid>/stat (all threads). The load generator is the bench process (its HTTP on node:http); its share of a core is in the table, and the server, not it, is the limit when the server's is near 1.
- **Per step**: the p50 latency of each step, one sign-in at a time; the server's CPU for each step from the scheduler's counters (all threads, read between steps), and from a \`node --cpu-prof\` profile of the main thread cut by the steps' times. The profile tables give self time by package and function; node:sqlite's native calls count for \`@passkey-id/store\`, which makes them.
- **SQL**: the statements the provider's database runs for one sign-in, counted exactly (every statement node:sqlite executes), by step, by kind and by SQL text; the bare oidc-provider keeps everything in memory and runs none.
- **SQLite and PostgreSQL**: the same sign-ins at the provider on a SQLite file, on a PostgreSQL schema of its own (the tests' server on this machine, \`DATABASE_URL=postgres://...?options=-c search_path=<schema>\`, an \`ENCRYPTION_KEY\`, a pool of 10), and as two provider processes on one schema behind a round-robin proxy that passes each request to the next instance over kept-alive connections (\`bench/roundRobinProxy.ts\`, in a process of its own; its URL is both instances' \`PUBLIC_URL\`), rounds in turn. CPU per sign-in sums the setup's provider processes and the PostgreSQL backends of its connections; the proxy's and the generator's cores are given. Then where PostgreSQL's time goes: what the providers waited for on their statements and pool (timed inside them), and statements one at a time on each database through the provider's own code. Every provider here, and in every part, runs with \`RATE_LIMITS=off\`: the benchmark signs a few accounts in hundreds of times a second from one address, which the limits exist to refuse.
- **Memory**: the provider's RSS once a second under a minute of sign-ins, and what survives V8's full collections (\`--trace-gc\`), and V8's heap spaces as the load ends: RSS grows while V8 sizes its heap for the load (its young generation most), then levels off; a leak would grow the live heap.
- **API route**: wrk (C, one thread) against the demo's protected \`GET /userinfo\` (the token's verdict cached after the first request), run alone and under \`npm start\`, and against a bare Fastify route answering the same JSON with the same logger settings; and the demo alone signed in by the session cookie \`POST /session\` gives instead of the token (each request reads the session's row; the token sealed there is opened once and remembered).`

log(`\n${section}`)
await writeResults(
  join(ROOT, 'bench/results.md'),
  intro,
  Number(process.versions.node.split('.')[0]),
  section,
)
log('\nwritten to bench/results.md')
