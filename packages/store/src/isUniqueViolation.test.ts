import type { Kysely } from 'kysely'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createTestDatabase, type TestDatabase } from '../test/createTestDatabase.ts'
import { isUniqueViolation } from './isUniqueViolation.ts'
import { openDatabase } from './openDatabase.ts'

interface Schema {
  accounts: { id: string; username: string | null; username_key: string }
  pairs: { a: string; b: string }
}

describe.each(['sqlite', 'postgres'] as const)('isUniqueViolation on %s', (kind) => {
  let database: TestDatabase
  let db: Kysely<Schema>

  beforeEach(async () => {
    database = await createTestDatabase(kind)
    db = openDatabase<Schema>(database.url)
    await db.schema
      .createTable('accounts')
      .addColumn('id', 'text', (column) => column.primaryKey())
      .addColumn('username', 'text', (column) => column.unique())
      .addColumn('username_key', 'text', (column) => column.notNull().unique())
      .execute()
    await db.schema
      .createTable('pairs')
      .addColumn('a', 'text')
      .addColumn('b', 'text')
      .addUniqueConstraint('pairs_a_b', ['a', 'b'])
      .execute()
    await db
      .insertInto('accounts')
      .values({ id: '1', username: 'Alice', username_key: 'alice' })
      .execute()
  })
  afterEach(async () => {
    await db.destroy()
    await database.drop()
  })

  async function failure(write: Promise<unknown>): Promise<unknown> {
    return write.then(
      () => expect.fail('the write should have been refused'),
      (error: unknown) => error,
    )
  }
  const insertAccount = (row: Schema['accounts']) =>
    failure(db.insertInto('accounts').values(row).execute())

  it('recognises a duplicate in the named unique column, and only in that one', async () => {
    const error = await insertAccount({ id: '2', username: 'ALICE', username_key: 'alice' })
    expect(isUniqueViolation(error, 'accounts.username_key')).toBe(true)
    // "accounts.username" is a prefix of the violated column's name, and a column of its own.
    expect(isUniqueViolation(error, 'accounts.username')).toBe(false)
    expect(isUniqueViolation(error, 'accounts.id')).toBe(false)
  })

  it('recognises each column of a constraint over several', async () => {
    await db.insertInto('pairs').values({ a: 'x', b: 'y' }).execute()
    const error = await failure(db.insertInto('pairs').values({ a: 'x', b: 'y' }).execute())
    expect(isUniqueViolation(error, 'pairs.a')).toBe(true)
    expect(isUniqueViolation(error, 'pairs.b')).toBe(true)
    expect(isUniqueViolation(error, 'accounts.a')).toBe(false)
  })

  it('is false for other failures and for anything that is not an error', async () => {
    const missing = await insertAccount({
      id: '2',
      username: null,
      username_key: null as unknown as string,
    })
    expect(String(missing)).toMatch(/NOT NULL constraint failed|violates not-null constraint/)
    expect(isUniqueViolation(missing, 'accounts.username_key')).toBe(false)
    // SQLite reports a duplicate primary key apart from UNIQUE; PostgreSQL the same way (23505).
    const duplicateKey = await insertAccount({ id: '1', username: 'bob', username_key: 'bob' })
    expect(isUniqueViolation(duplicateKey, 'accounts.id')).toBe(kind === 'postgres')
    expect(isUniqueViolation(duplicateKey, 'accounts.username_key')).toBe(false)
    expect(
      isUniqueViolation('UNIQUE constraint failed: accounts.username_key', 'accounts.username_key'),
    ).toBe(false)
    expect(isUniqueViolation(undefined, 'accounts.username_key')).toBe(false)
  })
})
