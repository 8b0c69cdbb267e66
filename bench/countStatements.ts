/**
 * `npx tsx bench/countStatements.ts`: the SQL statements one complete passkey sign-in runs at the
 * provider (the sign-in `signIns.ts` times), counted exactly, by step and by statement. The provider
 * runs in this process on a new SQLite file; every statement node:sqlite executes is recorded by
 * wrapping `StatementSync`'s methods here, so the provider's code is measured as it ships.
 *
 * BENCH_COUNT_SIGN_INS sign-ins (default 5) are counted after one not counted; the figures are per
 * sign-in. `bench/run.ts` prints the same table into bench/results.md.
 */
import { StatementSync } from 'node:sqlite'
import { pathToFileURL } from 'node:url'
import { startTestProvider } from '@passkey-id/testing/provider'
import { markdownTable } from './report.ts'
import { providerTarget, STEPS, type Step, signIn } from './signIns.ts'

/** What a statement does, by its first word: select, insert, update, delete, or another. */
export type StatementKind = 'select' | 'insert' | 'update' | 'delete' | 'other'

/** The statements of the counted sign-ins, per step and SQL text. */
export interface StatementCount {
  signIns: number
  /** step → SQL text → how many times it ran, over all counted sign-ins. */
  byStep: Map<Step, Map<string, number>>
}

/** The kind of a SQL statement, from its first keyword. */
export function statementKind(sql: string): StatementKind {
  const first = /^\s*(\w+)/.exec(sql)?.[1]?.toLowerCase()
  return first === 'select' || first === 'insert' || first === 'update' || first === 'delete'
    ? first
    : 'other'
}

/**
 * Calls `onRun` with the SQL of every statement node:sqlite runs in this process from now on, until
 * the returned function restores its methods.
 */
function recordStatements(onRun: (sql: string) => void): () => void {
  const methods = ['all', 'get', 'run', 'iterate'] as const
  const prototype = StatementSync.prototype as unknown as Record<
    string,
    (...args: unknown[]) => unknown
  >
  const originals = methods.map((name) => [name, prototype[name]] as const)
  for (const [name, original] of originals) {
    prototype[name] = function (this: StatementSync, ...args: unknown[]) {
      onRun(this.sourceSQL)
      return original?.apply(this, args)
    }
  }
  return () => {
    for (const [name, original] of originals) if (original) prototype[name] = original
  }
}

/** Runs `signIns` sign-ins one at a time at a new provider in this process, counting statements. */
export async function countStatements(signIns: number): Promise<StatementCount> {
  const provider = await startTestProvider()
  const byStep = new Map<Step, Map<string, number>>()
  let current: Map<string, number> | undefined
  const restore = recordStatements((sql) => {
    if (current !== undefined) current.set(sql, (current.get(sql) ?? 0) + 1)
  })
  try {
    const target = await providerTarget(provider.url, 1)
    await signIn(target, 0)
    for (let count = 0; count < signIns; count += 1) {
      // Statements are counted from a step's first request to its last answer: nothing else runs.
      current = new Map()
      await signIn(target, 0, (ended) => {
        if (ended !== undefined && current !== undefined) {
          const step = byStep.get(ended) ?? new Map<string, number>()
          for (const [sql, times] of current) step.set(sql, (step.get(sql) ?? 0) + times)
          byStep.set(ended, step)
        }
        current = new Map()
      })
      current = undefined
    }
  } finally {
    restore()
    await provider.close()
  }
  return { signIns, byStep }
}

/** Per sign-in: statements by step and kind, then each distinct statement with its count. */
export function statementTables(count: StatementCount): { byStep: string; bySql: string } {
  const kinds: StatementKind[] = ['select', 'insert', 'update', 'delete', 'other']
  const totals = new Map<string, number>()
  const row = (label: string, statements: Map<string, number>) => {
    const perKind = kinds.map((kind) =>
      [...statements].reduce(
        (sum, [sql, times]) => (statementKind(sql) === kind ? sum + times : sum),
        0,
      ),
    )
    const all = perKind.reduce((sum, times) => sum + times, 0)
    return [label, ...[...perKind, all].map((times) => format(times / count.signIns))]
  }
  const rows = STEPS.flatMap((step) => {
    const statements = count.byStep.get(step)
    if (statements === undefined) return []
    for (const [sql, times] of statements) totals.set(sql, (totals.get(sql) ?? 0) + times)
    return [row(step, statements)]
  })
  rows.push(row('**whole sign-in**', totals))
  const byStep = markdownTable(['step', ...kinds, 'all'], rows)
  const bySql = markdownTable(
    ['statement', 'per sign-in'],
    [...totals]
      .sort(([a, timesA], [b, timesB]) => timesB - timesA || a.localeCompare(b))
      .map(([sql, times]) => [`\`${sql.replaceAll('|', '\\|')}\``, format(times / count.signIns)]),
  )
  return { byStep, bySql }
}

const format = (value: number) => (Number.isInteger(value) ? String(value) : value.toFixed(2))

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const signIns = Number(process.env.BENCH_COUNT_SIGN_INS ?? 5)
  const tables = statementTables(await countStatements(signIns))
  console.log(`SQL statements per sign-in (${signIns} sign-ins counted)\n`)
  console.log(tables.byStep)
  console.log()
  console.log(tables.bySql)
}
