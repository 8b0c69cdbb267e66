import { mkdtempSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { DatabaseSync } from 'node:sqlite'
import { openDatabase } from '@passkey-id/store'
import { type Kysely, sql } from 'kysely'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { reclaimFreePages } from './reclaimFreePages.ts'

interface Rows {
  rows: { id: number; body: string }
}

describe('reclaimFreePages', () => {
  let folder: string
  beforeEach(() => {
    folder = mkdtempSync(join(tmpdir(), 'reclaim-'))
  })
  afterEach(() => rmSync(folder, { recursive: true, force: true }))

  /** Fills a table with 8 MiB and deletes it all, leaving the pages free. */
  async function fillAndEmpty(db: Kysely<Rows>): Promise<void> {
    await db.schema
      .createTable('rows')
      .addColumn('id', 'integer')
      .addColumn('body', 'text')
      .execute()
    for (let id = 0; id < 1000; id++)
      await db
        .insertInto('rows')
        .values({ id, body: 'x'.repeat(8192) })
        .execute()
    await db.deleteFrom('rows').execute()
  }

  const pragma = async (db: Kysely<Rows>, name: 'freelist_count' | 'page_count') =>
    Number(Object.values((await sql.raw(`pragma ${name}`).execute(db)).rows[0] as object)[0])

  it('gives every free page of a file opened by openDatabase back', async () => {
    const file = join(folder, 'test.db')
    const db = openDatabase<Rows>(file)
    try {
      await fillAndEmpty(db)
      const free = await pragma(db, 'freelist_count')
      expect(free).toBeGreaterThan(2000)
      expect(await reclaimFreePages(db)).toBe(free)
      expect(await pragma(db, 'freelist_count')).toBe(0)
      expect(await pragma(db, 'page_count')).toBeLessThan(10)
      await sql`pragma wal_checkpoint(TRUNCATE)`.execute(db)
      expect(statSync(file).size).toBeLessThan(64 * 1024)
    } finally {
      await db.destroy()
    }
  })

  it('leaves a file made without incremental auto-vacuum alone', async () => {
    const file = join(folder, 'old.db')
    const old = new DatabaseSync(file)
    old.exec('create table made_before (id integer)')
    old.close()
    const db = openDatabase<Rows>(file)
    try {
      await fillAndEmpty(db)
      const free = await pragma(db, 'freelist_count')
      expect(await reclaimFreePages(db)).toBe(0)
      expect(await pragma(db, 'freelist_count')).toBe(free)
    } finally {
      await db.destroy()
    }
  })
})
