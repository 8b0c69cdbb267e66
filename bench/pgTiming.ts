import type { TsServer } from './processes.ts'

/** The question a provider loaded with `pgTimingProbe.ts` answers with its `PgTiming` so far. */
export const PG_TIMING = 'bench:pg-timing'

/** What a provider process has waited for on PostgreSQL since it started. */
export interface PgTiming {
  /** Statements sent, and the milliseconds from each one's sending until its result was handed back. */
  statements: number
  statementMs: number
  /** `pool.connect()` calls (one per statement outside a transaction), and their milliseconds. */
  checkouts: number
  checkoutMs: number
}

/**
 * The PostgreSQL timing of a provider started with `imports: ['bench/pgTimingProbe.ts']`, asked over
 * its IPC channel: read before and after a run, the difference is that run's.
 */
export async function askPgTiming(server: TsServer): Promise<PgTiming> {
  const { timing } = (await server.ask(PG_TIMING)) as { answers: string; timing: PgTiming }
  return timing
}
