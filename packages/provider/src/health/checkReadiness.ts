import { type Kysely, sql } from 'kysely'
import { ProviderError } from '../errors/ProviderError.ts'

/** What `GET /readyz` reports: ready, or the first thing that is not and why. */
export type Readiness =
  | { ready: true }
  | { ready: false; reason: 'database' | 'keys'; refusal: ProviderError }

/** The longest a database error's first line is quoted in the reason. */
const MAX_REASON_LENGTH = 200

/**
 * Whether this instance can serve sign-ins: its signing keys are loaded and its database answers a
 * trivial query within `timeoutMs`. A load balancer or orchestrator asks this (through `/readyz`) to
 * send traffic only to instances that can take it, and the reason tells the operator what is wrong.
 * The reason quotes the driver's code and first line (such as `connect ECONNREFUSED 127.0.0.1:5432`),
 * which name the server, never the URL's password.
 */
export async function checkReadiness<Schema>(
  db: Kysely<Schema>,
  keysLoaded: () => boolean,
  timeoutMs: number,
): Promise<Readiness> {
  if (!keysLoaded()) return notReady('keys', 'the signing keys are not loaded')
  let timer: NodeJS.Timeout | undefined
  const timedOut = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), timeoutMs)
  })
  try {
    const answer = await Promise.race([sql`select 1`.execute(db), timedOut])
    if (answer === 'timeout')
      return notReady('database', `the database did not answer within ${timeoutMs} ms`)
    return { ready: true }
  } catch (error) {
    return notReady('database', `the database cannot be queried (${describe(error)})`)
  } finally {
    clearTimeout(timer)
  }
}

function notReady(reason: 'database' | 'keys', sentence: string): Readiness {
  return { ready: false, reason, refusal: new ProviderError('not_ready', { reason: sentence }) }
}

/** A driver error as `CODE: first line`, bounded. */
function describe(error: unknown): string {
  const code = (error as { code?: unknown } | undefined)?.code
  const line = (error instanceof Error ? error.message : String(error)).split('\n')[0] ?? ''
  const text = typeof code === 'string' && !line.includes(code) ? `${code}: ${line}` : line
  return (text || 'no message').slice(0, MAX_REASON_LENGTH)
}
