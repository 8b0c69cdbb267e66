import { randomBytes } from 'node:crypto'
import { sql } from 'kysely'
import { OidcRecordAdapter } from '../packages/provider/src/store/OidcRecordAdapter.ts'
import { openProviderStore } from '../packages/provider/src/store/openProviderStore.ts'
import { percentile } from './report.ts'

/** How long one kind of statement took, one at a time, through the provider's own database code. */
export interface StatementTiming {
  statement: string
  /** Milliseconds from the call to its result. */
  p50Ms: number
  p99Ms: number
  /** This process's CPU per statement (the driver's, Kysely's and the adapter's), in microseconds. */
  cpuUs: number
}

/** Statements of each kind not counted, before those counted. */
const WARMUP_STATEMENTS = 100

/**
 * Runs `count` statements of two kinds one at a time on the provider's database at `databaseUrl`
 * (opened and migrated as the provider opens it, pool and all): `select 1`, the round trip alone,
 * and oidc-provider's record upsert as the provider's adapter sends it, with a Session's payload of
 * a realistic size, each a new record that commits on its own as a sign-in's do.
 */
export async function statementLatency(
  databaseUrl: string,
  count: number,
): Promise<StatementTiming[]> {
  const db = await openProviderStore(databaseUrl)
  try {
    const sessions = new OidcRecordAdapter(db, 'Session')
    const payload = {
      jti: '',
      kind: 'Session',
      uid: randomBytes(16).toString('base64url'),
      accountId: randomBytes(16).toString('base64url'),
      loginTs: Math.floor(Date.now() / 1000),
      amr: ['webauthn'],
      authorizations: { 'https://app.example': { sid: randomBytes(16).toString('base64url') } },
      exp: Math.floor(Date.now() / 1000) + 3600,
    }
    const kinds: [string, (index: number) => Promise<unknown>][] = [
      ['`select 1`', () => sql`select 1`.execute(db)],
      [
        'record upsert (a new Session)',
        (index) =>
          sessions.upsert(`latency-${index}`, { ...payload, jti: `latency-${index}` }, 3600),
      ],
    ]
    const timings: StatementTiming[] = []
    for (const [statement, run] of kinds) {
      for (let index = 0; index < WARMUP_STATEMENTS; index += 1) await run(-1 - index)
      const milliseconds: number[] = []
      const cpuBefore = process.cpuUsage()
      for (let index = 0; index < count; index += 1) {
        const began = performance.now()
        await run(index)
        milliseconds.push(performance.now() - began)
      }
      const cpu = process.cpuUsage(cpuBefore)
      timings.push({
        statement,
        p50Ms: percentile(milliseconds, 50),
        p99Ms: percentile(milliseconds, 99),
        cpuUs: (cpu.user + cpu.system) / count,
      })
    }
    return timings
  } finally {
    await db.destroy()
  }
}
