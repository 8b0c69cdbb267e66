import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type Generated, Kysely, type SqliteDatabase, SqliteDialect } from 'kysely'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { cacheStatements } from './cacheStatements.ts'
import { loadNodeSqlite } from './loadNodeSqlite.ts'
import { nodeSqliteDatabase } from './nodeSqliteDatabase.ts'

describe('cacheStatements', () => {
  let folder: string
  let database: SqliteDatabase
  let prepared: string[]
  let closed: boolean

  beforeEach(async () => {
    folder = await mkdtemp(join(tmpdir(), 'passkey-id-statements-'))
    const { DatabaseSync } = loadNodeSqlite()
    const real = nodeSqliteDatabase(new DatabaseSync(join(folder, 'test.db')))
    prepared = []
    closed = false
    // The real database, noting which SQL texts reach its prepare.
    database = {
      prepare(sql) {
        prepared.push(sql)
        return real.prepare(sql)
      },
      close() {
        closed = true
        real.close()
      },
    }
    real.prepare('create table things (id integer primary key, name text)').run([])
  })
  afterEach(async () => {
    if (!closed) database.close()
    await rm(folder, { recursive: true, force: true })
  })

  it('prepares each SQL text once and reuses its statement, with new parameters each time', async () => {
    const db = new Kysely<{ things: { id: Generated<number>; name: string } }>({
      dialect: new SqliteDialect({ database: cacheStatements(database, 10) }),
    })
    for (const name of ['a', 'b', 'c']) await db.insertInto('things').values({ name }).execute()
    const found = []
    for (const name of ['c', 'a']) {
      found.push(await db.selectFrom('things').select('id').where('name', '=', name).execute())
    }
    expect(found).toEqual([[{ id: 3 }], [{ id: 1 }]])
    expect(prepared).toEqual([
      'insert into "things" ("name") values (?)',
      'select "id" from "things" where "name" = ?',
    ])
    await db.destroy()
    expect(closed).toBe(true)
  })

  it('keeps at most `limit` statements, dropping the least recently used', () => {
    const cached = cacheStatements(database, 2)
    const statement = (n: number) => cached.prepare(`select ${n}`)
    const one = statement(1)
    statement(2)
    expect(statement(1)).toBe(one) // 1 is now the most recently used
    statement(3) // drops 2
    expect(prepared).toEqual(['select 1', 'select 2', 'select 3'])
    expect(statement(1)).toBe(one)
    statement(2)
    expect(prepared).toEqual(['select 1', 'select 2', 'select 3', 'select 2'])
    expect(statement(2).all([])).toEqual([{ 2: 2 }])
  })
})
