import { type Kysely, sql } from 'kysely'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createTestDatabase, type TestDatabase } from '../test/createTestDatabase.ts'
import { openDatabase } from './openDatabase.ts'
import { queryTemplate, slot } from './queryTemplate.ts'

interface Schema {
  records: { model: string; id: string; payload: string }
}

describe.each(['sqlite', 'postgres'] as const)('queryTemplate on %s', (kind) => {
  let db: Kysely<Schema>
  let database: TestDatabase

  beforeEach(async () => {
    database = await createTestDatabase(kind)
    db = openDatabase<Schema>(database.url)
    await db.schema
      .createTable('records')
      .addColumn('model', 'text', (column) => column.notNull())
      .addColumn('id', 'text', (column) => column.notNull())
      .addColumn('payload', 'text', (column) => column.notNull())
      .execute()
  })
  afterEach(async () => {
    await db.destroy()
    await database.drop()
  })

  it("gives each call the query Kysely compiles, with that call's values in the slots", async () => {
    const find = (model: string, id: string) =>
      db.selectFrom('records').select('payload').where('model', '=', model).where('id', '=', id)
    const template = queryTemplate<{ payload: string }>(find('Session', slot('id')))
    const first = template({ id: 'one' })
    const second = template({ id: 'two' })
    const built = find('Session', 'two').compile()
    expect(second.sql).toBe(built.sql)
    expect(second.parameters).toEqual(built.parameters)
    expect(first.parameters).toEqual(['Session', 'one'])
    expect(first.queryId).not.toBe(second.queryId)

    for (const id of ['one', 'two'])
      await db
        .insertInto('records')
        .values({ model: 'Session', id, payload: `{"id":"${id}"}` })
        .execute()
    const { rows } = await db.executeQuery(template({ id: 'two' }))
    expect(rows).toEqual([{ payload: '{"id":"two"}' }])
  })

  it('puts one value in every slot of its name, and leaves a value that looks like a slot alone', () => {
    const template = queryTemplate(
      db
        .selectFrom('records')
        .select('id')
        .where('id', '=', slot('id'))
        .where('payload', '=', slot('id')),
    )
    expect(template({ id: 'x' }).parameters).toEqual(['x', 'x'])
    expect(template({ id: slot('other') }).parameters).toEqual([slot('other'), slot('other')])
  })

  it('refuses a slot without a value, and a slot written into the SQL', () => {
    const template = queryTemplate(
      db.selectFrom('records').select('id').where('id', '=', slot('id')),
    )
    expect(() => template({ ID: 'x' })).toThrow('no value for the slot id of select')
    expect(() =>
      queryTemplate(
        db
          .selectFrom('records')
          .select('id')
          .where('id', '=', sql.lit(slot('id'))),
      ),
    ).toThrow('a slot is not a parameter in select')
  })
})
