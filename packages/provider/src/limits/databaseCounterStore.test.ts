import { type TestDatabase, testDatabaseUrl } from '@passkey-id/testing/database'
import type { Kysely } from 'kysely'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { deleteExpiredRecords } from '../store/deleteExpiredRecords.ts'
import { openProviderStore } from '../store/openProviderStore.ts'
import type { ProviderDatabase } from '../store/schema.ts'
import { databaseCounterStore } from './databaseCounterStore.ts'

describe('databaseCounterStore', () => {
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

  it('loses no count of 50 made at once', async () => {
    const store = databaseCounterStore(db)
    const counts = await Promise.all(Array.from({ length: 50 }, () => store.add('k', 1, 60_000)))
    expect(counts.map((count) => count.count).sort((a, b) => a - b)).toEqual(
      Array.from({ length: 50 }, (_, index) => index + 1),
    )
    expect(new Set(counts.map((count) => count.resetAt)).size).toBe(1)
  })

  it('never goes below 0, starts a new window once one closes, and is cleaned when expired', async () => {
    const store = databaseCounterStore(db)
    expect((await store.add('k', -1, 60_000)).count).toBe(0)
    expect((await store.add('k', 2, 60_000)).count).toBe(2)
    await store.add('short', 3, 1)
    await new Promise((resolve) => setTimeout(resolve, 20))
    expect((await store.add('short', 1, 60_000)).count).toBe(1)
    await store.add('gone', 1, 1)
    await new Promise((resolve) => setTimeout(resolve, 20))
    await deleteExpiredRecords(db)
    const keys = await db.selectFrom('rate_limit_counters').select('key').orderBy('key').execute()
    expect(keys.map((row) => row.key)).toEqual(['k', 'short'])
  })
})
