import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type Kysely, type Migration, sql } from 'kysely'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { migrateToLatest } from './migrateToLatest.ts'
import { openDatabase } from './openDatabase.ts'

describe('migrateToLatest on SQLite', () => {
  let folder: string
  let db: Kysely<unknown>

  beforeEach(async () => {
    folder = await mkdtemp(join(tmpdir(), 'passkey-id-migrate-'))
    db = openDatabase(join(folder, 'test.db'))
  })
  afterEach(async () => {
    await db.destroy()
    await rm(folder, { recursive: true, force: true })
  })

  const create: Migration = {
    up: (db) => db.schema.createTable('things').addColumn('id', 'text').execute(),
  }

  async function columns(): Promise<string[]> {
    const { rows } = await sql<{
      name: string
    }>`select name from pragma_table_info('things')`.execute(db)
    return rows.map((row) => row.name)
  }

  it('applies each migration once, in name order', async () => {
    const add: Migration = {
      up: (db) => db.schema.alterTable('things').addColumn('name', 'text').execute(),
    }
    await migrateToLatest(db, { '0002_add': add, '0001_create': create }, 'history')
    await migrateToLatest(db, { '0001_create': create, '0002_add': add }, 'history')
    expect(await columns()).toEqual(['id', 'name'])
  })

  it('rolls a failing migration back whole, so the next start can apply it', async () => {
    await migrateToLatest(db, { '0001_create': create }, 'history')
    let fail = true
    const halfway: Migration = {
      async up(db) {
        await db.schema.alterTable('things').addColumn('name', 'text').execute()
        if (fail) throw new Error('the process died here')
        await db.schema.alterTable('things').addColumn('size', 'integer').execute()
      },
    }
    await expect(
      migrateToLatest(db, { '0001_create': create, '0002_halfway': halfway }, 'history'),
    ).rejects.toThrow('database migration 0002_halfway failed: the process died here')
    expect(await columns()).toEqual(['id'])

    fail = false
    await migrateToLatest(db, { '0001_create': create, '0002_halfway': halfway }, 'history')
    expect(await columns()).toEqual(['id', 'name', 'size'])
  })
})
