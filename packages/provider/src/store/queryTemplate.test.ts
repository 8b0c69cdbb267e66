import { type TestDatabase, testDatabaseUrl } from '@passkey-id/testing/database'
import type { Kysely } from 'kysely'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { openProviderStore } from './openProviderStore.ts'
import { queryTemplate, slot } from './queryTemplate.ts'
import type { ProviderDatabase } from './schema.ts'

describe('queryTemplate', () => {
  let database: TestDatabase
  let db: Kysely<ProviderDatabase>

  beforeEach(async () => {
    database = await testDatabaseUrl()
    db = await openProviderStore(database.url)
  })
  afterEach(async () => {
    await db.destroy()
    await database.drop()
  })

  it("gives each call the query Kysely compiles, with that call's values in the slots", async () => {
    const find = (model: string, id: string) =>
      db
        .selectFrom('oidc_records')
        .select('payload')
        .where('model', '=', model)
        .where('id', '=', id)
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
        .insertInto('oidc_records')
        .values({ model: 'Session', id, payload: `{"id":"${id}"}` })
        .execute()
    const { rows } = await db.executeQuery(template({ id: 'two' }))
    expect(rows).toEqual([{ payload: '{"id":"two"}' }])
  })

  it('puts one value in every slot of its name, and leaves a value that looks like a slot alone', async () => {
    const template = queryTemplate(
      db
        .selectFrom('oidc_records')
        .select('id')
        .where('id', '=', slot('id'))
        .where('uid', '=', slot('id')),
    )
    expect(template({ id: 'x' }).parameters).toEqual(['x', 'x'])
    expect(template({ id: slot('other') }).parameters).toEqual([slot('other'), slot('other')])
  })
})
