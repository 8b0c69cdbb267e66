import os from 'node:os'
import {
  type DatabaseResults,
  type DatabaseRound,
  type DatabaseSeries,
  SETUPS,
  type SetupName,
} from './databaseSignIns.ts'
import { fixed, markdownTable, median, percentile } from './report.ts'

const mean = (values: number[]) => values.reduce((sum, value) => sum + value, 0) / values.length
const medianOf = (series: DatabaseSeries, pick: (round: DatabaseRound) => number) =>
  median(series.rounds.map(pick))
/** A per-sign-in figure of the PostgreSQL probe, median over the rounds. */
const perSignIn = (
  series: DatabaseSeries,
  pick: (timing: NonNullable<DatabaseRound['pgTiming']>) => number,
) =>
  median(
    series.rounds.map((round) =>
      round.pgTiming === undefined ? Number.NaN : pick(round.pgTiming) / round.signIns,
    ),
  )

/**
 * The comparison of SQLite, PostgreSQL with one instance and PostgreSQL with two behind the proxy,
 * as Markdown: the sign-ins table, where PostgreSQL's time goes (what the providers waited for, and
 * statements one at a time on each database), and a paragraph that reads the two together.
 */
export function databaseTables(results: DatabaseResults): string[] {
  const rows: string[][] = []
  const waits: string[][] = []
  for (const [concurrency, bySetup] of results.series) {
    const sqlite = bySetup.get('SQLite')
    for (const name of SETUPS) {
      const series = bySetup.get(name)
      if (series === undefined) continue
      const rates = series.rounds.map((round) => round.signInsPerSecond)
      const ratios = series.rounds.map(
        (round, i) => round.signInsPerSecond / (sqlite?.rounds[i]?.signInsPerSecond ?? Number.NaN),
      )
      const provider = medianOf(series, (round) => round.providerCpuMs)
      const postgres = medianOf(series, (round) => round.postgresCpuMs)
      rows.push([
        `${name}, c=${concurrency}`,
        fixed(median(rates), 1),
        rates.map((rate) => fixed(rate)).join(' / '),
        name === 'SQLite' ? '1.00' : fixed(median(ratios), 2),
        fixed(percentile(series.latencies, 50), 1),
        fixed(percentile(series.latencies, 99), 1),
        fixed(provider, 2),
        fixed(postgres, 2),
        fixed(provider + (Number.isNaN(postgres) ? 0 : postgres), 2),
        fixed(
          medianOf(series, (round) => round.providerCores),
          2,
        ),
        fixed(
          medianOf(series, (round) => round.postgresCores),
          2,
        ),
        fixed(
          medianOf(series, (round) => round.proxyCores),
          2,
        ),
        fixed(
          medianOf(series, (round) => round.generatorCores),
          2,
        ),
      ])
      if (name === 'SQLite') continue
      const statements = perSignIn(series, (timing) => timing.statements)
      const waiting = perSignIn(series, (timing) => timing.statementMs)
      waits.push([
        `${name}, c=${concurrency}`,
        fixed(statements, 1),
        fixed(waiting, 2),
        fixed(waiting / statements, 3),
        fixed(
          perSignIn(series, (timing) => timing.checkoutMs),
          3,
        ),
        fixed(mean(series.latencies), 2),
        `${fixed((100 * waiting) / mean(series.latencies))}%`,
      ])
    }
  }
  const latencyRows = (results.latency[0]?.timings ?? []).map((timing, i) => [
    timing.statement,
    ...results.latency.flatMap(({ timings }) => {
      const each = timings[i]
      return [fixed(each?.p50Ms, 3), fixed(each?.p99Ms, 3), fixed(each?.cpuUs)]
    }),
  ])
  return [
    markdownTable(
      [
        'setup, concurrency',
        'sign-ins/s (median)',
        'each round',
        '× SQLite',
        'p50 ms',
        'p99 ms',
        'provider CPU ms / sign-in',
        'PostgreSQL CPU ms / sign-in',
        'server CPU ms / sign-in',
        'provider cores',
        'PostgreSQL cores',
        'proxy cores',
        'generator cores',
      ],
      rows,
    ),
    `Provider CPU: every provider process of the setup, summed (/proc/<pid>/stat). PostgreSQL CPU: the backends of that setup's connections (found by their \`application_name\` in \`pg_stat_activity\`, read in /proc), not the server's shared background processes (WAL writer, checkpointer), which other clients of the shared server also keep busy. Server CPU: the two summed. "× SQLite": the median of the per-round ratios. Each provider's pool holds ${results.poolSize} connections.`,
    '#### Where PostgreSQL’s time goes',
    markdownTable(
      [
        'what the providers waited for',
        'statements / sign-in',
        'waiting on statements, ms / sign-in',
        'ms / statement',
        'pool checkout ms / sign-in',
        'mean sign-in ms',
        'share of the sign-in',
      ],
      waits,
    ),
    'Measured inside the providers (`bench/pgTimingProbe.ts` wraps pg’s `Client.query` and `Pool.connect`): a statement from its sending to its result, and the pool’s checkout that Kysely makes before each statement outside a transaction (the wait for a free connection, or a new one). At c=8 a statement’s time also holds the wait for the busy event loop to take its result.',
    markdownTable(
      [
        'one at a time, nothing else running',
        'SQLite p50 ms',
        'SQLite p99 ms',
        'SQLite CPU µs',
        'PostgreSQL p50 ms',
        'PostgreSQL p99 ms',
        'PostgreSQL CPU µs',
      ],
      latencyRows,
    ),
    'Through the provider’s own code (its store opened and migrated as it opens it, the adapter oidc-provider calls), after the sign-ins with their servers stopped; CPU is the calling process’s per statement (driver, Kysely, adapter), the PostgreSQL server’s own not counted.',
    reading(results),
  ]
}

/** The paragraph that reads the tables: the latency a sign-in gains on PostgreSQL, and the CPU. */
function reading(results: DatabaseResults): string {
  const one = (concurrency: number, name: SetupName) => results.series.get(concurrency)?.get(name)
  const concurrencies = [...results.series.keys()]
  const low = Math.min(...concurrencies)
  const high = Math.max(...concurrencies)
  const [sqliteLow, pgLow] = [one(low, 'SQLite'), one(low, 'PostgreSQL, one instance')]
  const [sqliteHigh, pgHigh, twoHigh] = [
    one(high, 'SQLite'),
    one(high, 'PostgreSQL, one instance'),
    one(high, 'PostgreSQL, two instances behind the proxy'),
  ]
  if (!sqliteLow || !pgLow || !sqliteHigh || !pgHigh || !twoHigh) return ''
  const p50 = (series: DatabaseSeries) => percentile(series.latencies, 50)
  const statements = perSignIn(pgLow, (timing) => timing.statements)
  const waiting = perSignIn(pgLow, (timing) => timing.statementMs)
  const timing = (database: string, statement: string) =>
    results.latency
      .find((each) => each.database === database)
      ?.timings.find((each) => each.statement.startsWith(statement))
  const select = timing('PostgreSQL', '`select 1`')
  const upsertPg = timing('PostgreSQL', 'record upsert')
  const upsertSqlite = timing('SQLite', 'record upsert')
  const cpu = (series: DatabaseSeries, pick: (round: DatabaseRound) => number) =>
    fixed(medianOf(series, pick), 2)
  return [
    `At c=${low} a sign-in takes ${fixed(p50(pgLow), 1)} ms (p50) on PostgreSQL against ${fixed(p50(sqliteLow), 1)} ms on SQLite: its ${fixed(statements)} statements keep it waiting ${fixed(waiting, 1)} ms, ${fixed(waiting / statements, 3)} ms each, where a \`select 1\` takes ${fixed(select?.p50Ms, 3)} ms on this loopback and the record upsert ${fixed(upsertPg?.p50Ms, 3)} ms (SQLite: ${fixed(upsertSqlite?.p50Ms, 3)} ms, in process).`,
    `The provider's own CPU per sign-in at c=${high} is ${cpu(pgHigh, (round) => round.providerCpuMs)} ms on PostgreSQL against ${cpu(sqliteHigh, (round) => round.providerCpuMs)} ms on SQLite (pg's protocol work in place of node:sqlite's calls: ${fixed(upsertPg?.cpuUs)} µs against ${fixed(upsertSqlite?.cpuUs)} µs of the caller's CPU per upsert), and PostgreSQL's backends add ${cpu(pgHigh, (round) => round.postgresCpuMs)} ms; the pool's checkouts take ${fixed(
      perSignIn(pgHigh, (t) => t.checkoutMs),
      3,
    )} ms per sign-in.`,
    `Two instances behind the proxy: ${fixed(
      medianOf(twoHigh, (round) => round.signInsPerSecond),
      1,
    )} sign-ins/s against ${fixed(
      medianOf(pgHigh, (round) => round.signInsPerSecond),
      1,
    )} with one, the proxy taking ${cpu(twoHigh, (round) => round.proxyCores)} of a core (${fixed(
      medianOf(twoHigh, (round) => (round.proxyCores * 1000) / round.signInsPerSecond),
      2,
    )} ms per sign-in), all on the same ${os.cpus().length} cores as PostgreSQL and the load generator.`,
  ].join(' ')
}
