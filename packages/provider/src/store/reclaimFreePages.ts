import { databaseKind } from '@passkey-id/store'
import { type Kysely, sql } from 'kysely'

/** Pages given back per transaction: each batch holds the one SQLite connection for a few ms. */
const PAGES_PER_BATCH = 256
/** Batches per call (64 MiB of 4 KiB pages): what is left waits for the next cleanup. */
const MAX_BATCHES = 64

/**
 * Gives a SQLite file's free pages back to the file system (`pragma incremental_vacuum`), so that
 * rows deleted after a burst (abandoned sign-ins, say) do not leave the file at its largest size for
 * good; returns how many pages went. Only files created with `auto_vacuum = INCREMENTAL` (see
 * `openDatabase`) can do this: for others, and for PostgreSQL (whose autovacuum reuses the space),
 * it does nothing.
 *
 * The pragma frees one page per step of its statement, and Kysely's SQLite driver steps a statement
 * without result columns once: so it runs once per page, in batches, each batch one transaction.
 */
export async function reclaimFreePages<Schema>(db: Kysely<Schema>): Promise<number> {
  if (databaseKind(db) !== 'sqlite') return 0
  let reclaimed = 0
  for (let batch = 0; batch < MAX_BATCHES; batch++) {
    const freed = await db.transaction().execute(async (trx) => {
      const pages = Math.min(PAGES_PER_BATCH, await freePages(trx))
      for (let page = 0; page < pages; page++) await sql`pragma incremental_vacuum`.execute(trx)
      return pages
    })
    reclaimed += freed
    if (freed < PAGES_PER_BATCH) break
  }
  return reclaimed
}

/** Pages the file holds but no table uses (0 when auto-vacuum is off: they are reused, never freed). */
async function freePages<Schema>(db: Kysely<Schema>): Promise<number> {
  const [autoVacuum] = (await sql<{ auto_vacuum: number }>`pragma auto_vacuum`.execute(db)).rows
  if (autoVacuum?.auto_vacuum !== 2) return 0
  const [row] = (await sql<{ freelist_count: number }>`pragma freelist_count`.execute(db)).rows
  return Number(row?.freelist_count ?? 0)
}
