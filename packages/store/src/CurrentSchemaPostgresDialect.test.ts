import { Kysely, PostgresDialect, sql } from 'kysely'
import pg from 'pg'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createTestDatabase, type TestDatabase } from '../test/createTestDatabase.ts'
import { CurrentSchemaPostgresDialect } from './CurrentSchemaPostgresDialect.ts'

describe('CurrentSchemaPostgresDialect', () => {
  let ours: TestDatabase
  let other: TestDatabase
  beforeEach(async () => {
    ours = await createTestDatabase('postgres')
    other = await createTestDatabase('postgres')
  })
  afterEach(async () => {
    await Promise.all([ours.drop(), other.drop()])
  })

  const open = (url: string, Dialect: typeof PostgresDialect) =>
    new Kysely<unknown>({ dialect: new Dialect({ pool: new pg.Pool({ connectionString: url }) }) })

  it('lists the current schema and its tables only, whatever other schemas hold', async () => {
    const db = open(ours.url, CurrentSchemaPostgresDialect)
    const elsewhere = open(other.url, PostgresDialect)
    try {
      await sql`create table history (name text)`.execute(elsewhere)
      await sql`create table things (id text)`.execute(db)
      await sql`create view things_view as select id from things`.execute(db)
      const schema = (await sql<{ s: string }>`select current_schema() as s`.execute(db)).rows[0]?.s
      expect(await db.introspection.getSchemas()).toEqual([{ name: schema }])
      expect(await db.introspection.getTables()).toEqual([
        { name: 'things', schema, isView: false, columns: [] },
        { name: 'things_view', schema, isView: true, columns: [] },
      ])
    } finally {
      await Promise.all([db.destroy(), elsewhere.destroy()])
    }
  })

  it('is not disturbed by schemas another client creates and drops meanwhile', async () => {
    // Kysely's own introspector calls has_schema_privilege(<name>) on every schema it lists, and
    // failed with 3F000 when one was dropped in between (test runs dropping theirs did it).
    const db = open(ours.url, CurrentSchemaPostgresDialect)
    const churn = new pg.Client({ connectionString: other.url })
    await churn.connect()
    let stop = false
    const churning = (async () => {
      for (let round = 0; !stop; round++) {
        const name = `churn_${process.pid}_${round}`
        await churn.query(`create schema ${name}; create table ${name}.t (id int)`)
        await churn.query(`drop schema ${name} cascade`)
      }
    })()
    try {
      for (let attempt = 0; attempt < 150; attempt++) {
        await db.introspection.getTables({ withInternalKyselyTables: true })
      }
    } finally {
      stop = true
      await churning
      await Promise.all([db.destroy(), churn.end()])
    }
  })
})
