import { hostname } from 'node:os'
import { connectTestPostgres } from './connectTestPostgres.ts'
import type { TestSchemaOrigin } from './testDatabaseUrl.ts'
import { testPostgresUrl } from './testPostgresUrl.ts'

/** A schema from another machine, whose processes cannot be seen, is left this long before dropping. */
const FOREIGN_SCHEMA_AGE_MS = 60 * 60 * 1000

/**
 * Vitest's global setup for the PostgreSQL project: drops the `t_*` schemas that earlier runs left
 * behind when a worker was killed before its `close()`, so they do not pile up in the shared
 * database. A schema is kept while the process that made it still runs, because other suites (a
 * developer's `npx vitest run` beside CI) use the same database at the same time. Connecting here
 * also fails the run at once, with the line saying how to start PostgreSQL, when it is not there.
 */
export default async function dropLeftoverSchemas(): Promise<void> {
  const runStart = Date.now()
  const client = await connectTestPostgres(testPostgresUrl())
  try {
    const { rows } = await client.query<{ name: string; comment: string | null }>(
      `select nspname as name, obj_description(oid, 'pg_namespace') as comment
         from pg_namespace where nspname like 't\\_%'`,
    )
    for (const { name, comment } of rows) {
      if (isLeftover(parseOrigin(comment), runStart)) {
        await client.query(`drop schema if exists ${client.escapeIdentifier(name)} cascade`)
      }
    }
  } finally {
    await client.end()
  }
}

function parseOrigin(comment: string | null): TestSchemaOrigin | undefined {
  try {
    return JSON.parse(comment ?? '') as TestSchemaOrigin
  } catch {
    return undefined
  }
}

/** Made before this run, by a process that is gone (or, on another machine, over an hour ago). */
function isLeftover(origin: TestSchemaOrigin | undefined, runStart: number): boolean {
  if (origin === undefined) return false // not one of ours: leave it alone
  if (origin.createdAt >= runStart) return false
  if (origin.host !== hostname()) return runStart - origin.createdAt > FOREIGN_SCHEMA_AGE_MS
  return !isRunning(origin.pid)
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}
