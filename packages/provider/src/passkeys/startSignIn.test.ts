import { type TestDatabase, testDatabaseUrl } from '@passkey-id/testing/database'
import type { Kysely } from 'kysely'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { OidcRecordAdapter } from '../store/OidcRecordAdapter.ts'
import { openProviderStore } from '../store/openProviderStore.ts'
import type { ProviderDatabase } from '../store/schema.ts'
import type { PasskeyContext } from './PasskeyCeremonies.ts'
import { startSignIn } from './startSignIn.ts'

describe('startSignIn', () => {
  let database: TestDatabase
  let db: Kysely<ProviderDatabase>
  let context: PasskeyContext

  beforeEach(async () => {
    database = await testDatabaseUrl()
    db = await openProviderStore(database.url)
    await new OidcRecordAdapter(db, 'Interaction').upsert('i1', { uid: 'i1' }, 60)
    // Only the storage and the relying party are used to start a sign-in.
    context = {
      db,
      rpId: 'localhost',
      rpName: 'test',
      origin: 'http://localhost',
    } as PasskeyContext
  })
  afterEach(async () => {
    await db.destroy()
    await database.drop()
  })

  it('gives requests racing to make the first challenge the one that was saved first', async () => {
    // Each reads the empty slot before any writes (the database runs one statement at a time).
    const options = await Promise.all(Array.from({ length: 5 }, () => startSignIn(context, 'i1')))
    expect(new Set(options.map((each) => each.challenge)).size).toBe(1)
  })

  it('refuses to start for an interaction that no longer exists', async () => {
    await expect(startSignIn(context, 'gone')).rejects.toMatchObject({
      code: 'interaction_expired',
    })
  })
})
