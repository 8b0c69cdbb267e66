import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type Generated, Kysely, SqliteDialect, sql } from 'kysely'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { loadNodeSqlite } from './loadNodeSqlite.ts'
import { nodeSqliteDatabase } from './nodeSqliteDatabase.ts'

interface Schema {
  things: {
    id: Generated<number>
    name: string
    size: number | bigint | null
    data: Uint8Array | null
  }
}

describe('nodeSqliteDatabase under Kysely', () => {
  let folder: string
  let db: Kysely<Schema>

  beforeEach(async () => {
    folder = await mkdtemp(join(tmpdir(), 'passkey-id-node-sqlite-'))
    const { DatabaseSync } = loadNodeSqlite()
    const database = nodeSqliteDatabase(new DatabaseSync(join(folder, 'test.db')))
    db = new Kysely<Schema>({ dialect: new SqliteDialect({ database }) })
    await sql`create table things (id integer primary key, name text not null unique, size bigint, data blob)`.execute(
      db,
    )
  })
  afterEach(async () => {
    await db.destroy()
    await rm(folder, { recursive: true, force: true })
  })

  it('runs writes for their change count and insert id, as Kysely expects', async () => {
    const inserted = await db
      .insertInto('things')
      .values([
        { name: 'a', size: 1 },
        { name: 'b', size: 2 },
      ])
      .executeTakeFirstOrThrow()
    expect(inserted).toEqual({ insertId: 2n, numInsertedOrUpdatedRows: 2n })
    const updated = await db
      .updateTable('things')
      .set({ size: 3 })
      .where('size', '<', 5)
      .executeTakeFirstOrThrow()
    expect(updated.numUpdatedRows).toBe(2n)
    const deleted = await db.deleteFrom('things').where('name', '=', 'a').executeTakeFirstOrThrow()
    expect(deleted.numDeletedRows).toBe(1n)
    const none = await db.deleteFrom('things').where('name', '=', 'a').executeTakeFirstOrThrow()
    expect(none.numDeletedRows).toBe(0n)
  })

  it('returns the rows of selects and of writes with returning', async () => {
    const returned = await db
      .insertInto('things')
      .values({ name: 'a', size: 7 })
      .returning(['id', 'name'])
      .execute()
    expect(returned).toEqual([{ id: 1, name: 'a' }])
    const selected = await db.selectFrom('things').select(['name', 'size']).execute()
    expect(selected).toEqual([{ name: 'a', size: 7 }])
    const nothing = await db.selectFrom('things').selectAll().where('id', '=', 99).execute()
    expect(nothing).toEqual([])
  })

  it('reads integers as numbers and binds numbers and bigints', async () => {
    await db
      .insertInto('things')
      .values([
        { name: 'number', size: 2 ** 40 },
        { name: 'bigint', size: 2n ** 50n },
      ])
      .execute()
    const rows = await db.selectFrom('things').select(['name', 'size']).orderBy('id').execute()
    expect(rows).toEqual([
      { name: 'number', size: 2 ** 40 },
      { name: 'bigint', size: 2 ** 50 },
    ])
    const { rows: types } = await sql<{
      type: string
    }>`select typeof(size) as type from things`.execute(db)
    expect(types).toEqual([{ type: 'integer' }, { type: 'integer' }])
  })

  it('stores blobs from a Buffer or a Uint8Array and reads them back as Uint8Array', async () => {
    await db
      .insertInto('things')
      .values([
        { name: 'buffer', data: Buffer.from([1, 2, 3]) },
        { name: 'bytes', data: new Uint8Array([0, 255]) },
      ])
      .execute()
    const rows = await db.selectFrom('things').select('data').orderBy('id').execute()
    expect(rows.map((row) => row.data)).toEqual([
      new Uint8Array([1, 2, 3]),
      new Uint8Array([0, 255]),
    ])
    expect(rows[0]?.data).toBeInstanceOf(Uint8Array)
  })

  it('commits a transaction, and rolls one back whole when it throws', async () => {
    await db.transaction().execute(async (trx) => {
      await trx.insertInto('things').values({ name: 'kept' }).execute()
    })
    await expect(
      db.transaction().execute(async (trx) => {
        await trx.insertInto('things').values({ name: 'lost' }).execute()
        await trx.insertInto('things').values({ name: 'kept' }).execute()
      }),
    ).rejects.toThrow('UNIQUE constraint failed: things.name')
    const names = await db.selectFrom('things').select('name').execute()
    expect(names).toEqual([{ name: 'kept' }])
  })

  it('streams the rows of a select', async () => {
    await db
      .insertInto('things')
      .values(['a', 'b', 'c'].map((name) => ({ name })))
      .execute()
    const names: string[] = []
    for await (const row of db.selectFrom('things').select('name').orderBy('name').stream()) {
      names.push(row.name)
    }
    expect(names).toEqual(['a', 'b', 'c'])
  })
})
