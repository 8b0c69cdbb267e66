import { randomBytes } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import { join } from 'node:path'
import { type TestDatabase, testDatabaseUrl } from '@passkey-id/testing/database'
import { freePort } from '@passkey-id/testing/http'
import pg from 'pg'
import { askPgTiming, type PgTiming } from './pgTiming.ts'
import { postgresBackendCpu } from './postgresBackendCpu.ts'
import { processCpuMs, startTsServer, type TsServer } from './processes.ts'
import { fixed } from './report.ts'
import { providerTarget, runSignIns, type SignInTarget, warmUp } from './signIns.ts'
import { type Server, startBenchProvider } from './startBenchProvider.ts'
import { type StatementTiming, statementLatency } from './statementLatency.ts'

/** How long and how often the comparison runs (`run.ts` reads them from BENCH_*). */
export interface DatabaseSettings {
  seconds: number
  rounds: number
  warmupSeconds: number
  warmupSignIns: number
  concurrencies: number[]
  /** Statements of each kind timed one at a time, on each database. */
  latencyStatements: number
  log: (line: string) => void
}

/** The three ways the provider is run here, in the order each round visits them. */
export const SETUPS = [
  'SQLite',
  'PostgreSQL, one instance',
  'PostgreSQL, two instances behind the proxy',
] as const
export type SetupName = (typeof SETUPS)[number]

/** One timed run of sign-ins at one setup; CPU in milliseconds per sign-in, and cores busy. */
export interface DatabaseRound {
  signInsPerSecond: number
  /** Every provider process of the setup, summed. */
  providerCpuMs: number
  /** The PostgreSQL backends of the setup's connections (NaN on SQLite). */
  postgresCpuMs: number
  providerCores: number
  postgresCores: number
  /** The proxy's process (NaN without one). */
  proxyCores: number
  generatorCores: number
  /** What the providers waited for on PostgreSQL during the run, summed (undefined on SQLite). */
  pgTiming?: PgTiming
  signIns: number
}

/** The rounds of one setup at one concurrency, with every sign-in's latency in milliseconds. */
export interface DatabaseSeries {
  rounds: DatabaseRound[]
  latencies: number[]
}

/** What the comparison measured. */
export interface DatabaseResults {
  /** concurrency → setup → series. */
  series: Map<number, Map<SetupName, DatabaseSeries>>
  /** Statements one at a time, per database. */
  latency: { database: 'SQLite' | 'PostgreSQL'; timings: StatementTiming[] }[]
  /** The pool size each provider ran with. */
  poolSize: number
}

/** A setup as it runs: where sign-ins go, which processes serve them. */
interface Setup {
  name: SetupName
  target: SignInTarget
  providers: TsServer[]
  proxy?: TsServer
  /** The `application_name` of its PostgreSQL connections. */
  application?: string
}

/** Each provider's PostgreSQL pool (DATABASE_POOL_SIZE), the provider's default. */
const POOL_SIZE = 10

/** `url` with its connections named `application`, so that their backends can be told apart. */
const named = (url: string, application: string) => `${url}&application_name=${application}`

/**
 * The provider on SQLite, on PostgreSQL alone, and as two processes on one PostgreSQL schema behind
 * a round-robin proxy (`roundRobinProxy.ts`, the public URL theirs), signed in at round by round in
 * turn at each concurrency, as the provider and the bare library are in `run.ts`. Each PostgreSQL
 * setup has a new schema in the tests' database (`@passkey-id/testing/database`), dropped after.
 * Then statements one at a time on each database (a new SQLite file, a new schema), through the
 * provider's own database code.
 */
export async function databaseSignIns(settings: DatabaseSettings): Promise<DatabaseResults> {
  const { log } = settings
  const postgresEnv = { ...process.env, PASSKEY_ID_TEST_DATABASE: 'postgres' }
  const schemas: TestDatabase[] = []
  const servers: { stop(): Promise<void> }[] = []
  let client: pg.Client | undefined
  try {
    const schema = async () => {
      const database = await testDatabaseUrl('provider', postgresEnv)
      schemas.push(database)
      return database.url
    }
    const [oneUrl, twoUrl] = [await schema(), await schema()]
    // The bench's own connection, which reads pg_stat_activity.
    client = new pg.Client({ connectionString: oneUrl })
    await client.connect()
    const reader = client
    const bench = `passkey-id-bench-${process.pid}`
    const postgres = (url: string, application: string) => ({
      DATABASE_URL: named(url, application),
      ENCRYPTION_KEY: randomBytes(32).toString('base64'),
      DATABASE_POOL_SIZE: String(POOL_SIZE),
    })
    const probe = { imports: ['bench/pgTimingProbe.ts'] }
    const started = <T extends { stop(): Promise<void> }>(server: T) => {
      servers.push(server)
      return server
    }

    const [backendA, backendB, proxyPort] = [await freePort(), await freePort(), await freePort()]
    const proxyUrl = `http://localhost:${proxyPort}`
    const twoEnv = { ...postgres(twoUrl, `${bench}-two`), PUBLIC_URL: proxyUrl }
    // Both instances together on the empty schema, as behind a balancer: one migrates, both share keys.
    const [sqlite, one, proxy, ...two] = await Promise.all([
      startBenchProvider().then(started),
      startBenchProvider({ ...probe, env: postgres(oneUrl, `${bench}-one`) }).then(started),
      startTsServer('bench/roundRobinProxy.ts', {
        env: { PORT: String(proxyPort), BACKEND_PORTS: `${backendA},${backendB}` },
      }).then(started),
      startBenchProvider({ ...probe, port: backendA, env: twoEnv }).then(started),
      startBenchProvider({ ...probe, port: backendB, env: twoEnv }).then(started),
    ])
    const loops = Math.max(...settings.concurrencies)
    const setupOf = async (
      name: SetupName,
      issuer: string,
      providers: Server[],
      extra: Partial<Setup> = {},
    ): Promise<Setup> => ({
      name,
      target: await providerTarget(issuer, loops),
      providers,
      ...extra,
    })
    const setups = [
      await setupOf('SQLite', sqlite.issuer, [sqlite]),
      await setupOf('PostgreSQL, one instance', one.issuer, [one], {
        application: `${bench}-one`,
      }),
      await setupOf('PostgreSQL, two instances behind the proxy', proxyUrl, two, {
        proxy,
        application: `${bench}-two`,
      }),
    ]
    for (const { target } of setups)
      await warmUp(target, loops, settings.warmupSeconds, settings.warmupSignIns)

    const series = new Map<number, Map<SetupName, DatabaseSeries>>()
    for (const concurrency of settings.concurrencies) {
      const bySetup = new Map(
        setups.map(({ name }) => [name, { rounds: [], latencies: [] } as DatabaseSeries]),
      )
      for (let round = 0; round < settings.rounds; round += 1)
        for (const setup of setups) {
          const measured = bySetup.get(setup.name)
          if (measured !== undefined)
            await measureRound(setup, concurrency, settings, reader, measured)
        }
      series.set(concurrency, bySetup)
    }

    // Statements one at a time, with no sign-ins running: the servers are stopped first.
    for (const server of servers.splice(0).reverse()) await server.stop()
    const dir = await mkdtemp(join(os.tmpdir(), 'passkey-id-bench-latency-'))
    try {
      const latency = [
        {
          database: 'SQLite' as const,
          timings: await statementLatency(join(dir, 'provider.db'), settings.latencyStatements),
        },
        {
          database: 'PostgreSQL' as const,
          timings: await statementLatency(await schema(), settings.latencyStatements),
        },
      ]
      for (const { database, timings } of latency)
        for (const timing of timings)
          log(
            `  ${database}, ${timing.statement}: p50 ${fixed(timing.p50Ms, 3)} ms, p99 ${fixed(timing.p99Ms, 3)} ms, ${fixed(timing.cpuUs)} µs CPU here`,
          )
      return { series, latency, poolSize: POOL_SIZE }
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  } finally {
    for (const server of servers.reverse()) await server.stop()
    await client?.end()
    for (const database of schemas) await database.drop()
  }
}

/** The sum of what each provider of `setup` waited for on PostgreSQL so far. */
async function pgTimingOf(setup: Setup): Promise<PgTiming | undefined> {
  if (setup.application === undefined) return undefined
  const each = await Promise.all(setup.providers.map(askPgTiming))
  return each.reduce((sum, timing) => ({
    statements: sum.statements + timing.statements,
    statementMs: sum.statementMs + timing.statementMs,
    checkouts: sum.checkouts + timing.checkouts,
    checkoutMs: sum.checkoutMs + timing.checkoutMs,
  }))
}

async function measureRound(
  setup: Setup,
  concurrency: number,
  settings: DatabaseSettings,
  client: pg.Client,
  series: DatabaseSeries,
): Promise<void> {
  const providersCpu = () => setup.providers.reduce((sum, { pid }) => sum + processCpuMs(pid), 0)
  const backends = () =>
    setup.application === undefined
      ? Promise.resolve(new Map<number, number>())
      : postgresBackendCpu(client, setup.application)
  const before = {
    timing: await pgTimingOf(setup),
    backends: await backends(),
    providers: providersCpu(),
    proxy: setup.proxy === undefined ? 0 : processCpuMs(setup.proxy.pid),
    generator: processCpuMs(process.pid),
  }
  const run = await runSignIns(setup.target, concurrency, settings.seconds)
  const providerMs = providersCpu() - before.providers
  const generatorMs = processCpuMs(process.pid) - before.generator
  const proxyMs =
    setup.proxy === undefined ? Number.NaN : processCpuMs(setup.proxy.pid) - before.proxy
  const backendsAfter = await backends()
  const timing = await pgTimingOf(setup)
  // A backend that came during the run counts from nothing; one that ended (idle) used nothing since.
  let postgresMs = setup.application === undefined ? Number.NaN : 0
  for (const [pid, ms] of backendsAfter) postgresMs += ms - (before.backends.get(pid) ?? 0)
  const count = run.signIns.length
  const cores = (ms: number) => ms / 1000 / run.seconds
  const round: DatabaseRound = {
    signInsPerSecond: count / run.seconds,
    providerCpuMs: providerMs / count,
    postgresCpuMs: postgresMs / count,
    providerCores: cores(providerMs),
    postgresCores: cores(postgresMs),
    proxyCores: cores(proxyMs),
    generatorCores: cores(generatorMs),
    pgTiming:
      timing === undefined || before.timing === undefined
        ? undefined
        : {
            statements: timing.statements - before.timing.statements,
            statementMs: timing.statementMs - before.timing.statementMs,
            checkouts: timing.checkouts - before.timing.checkouts,
            checkoutMs: timing.checkoutMs - before.timing.checkoutMs,
          },
    signIns: count,
  }
  series.rounds.push(round)
  for (const spans of run.signIns)
    series.latencies.push(((spans.at(-1)?.end ?? 0) - (spans[0]?.start ?? 0)) / 1000)
  settings.log(
    `  ${setup.name}, c=${concurrency}: ${fixed(round.signInsPerSecond, 1)} sign-ins/s, CPU ms each provider ${fixed(round.providerCpuMs, 2)} + PostgreSQL ${fixed(round.postgresCpuMs, 2)}, cores proxy ${fixed(round.proxyCores, 2)} / generator ${fixed(round.generatorCores, 2)}`,
  )
}
