import { type TestDatabase, testDatabaseUrl } from '@passkey-id/testing/database'
import type { Kysely } from 'kysely'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { OidcRecordAdapter } from '../store/OidcRecordAdapter.ts'
import { openProviderStore } from '../store/openProviderStore.ts'
import type { ProviderDatabase } from '../store/schema.ts'
import type { PasskeyContext } from './PasskeyCeremonies.ts'
import { readPendingCeremony, savePendingCeremony } from './pendingCeremony.ts'
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

  it("shares the pending challenge of the caller's read without reading the slot again", async () => {
    const now = Date.now()
    const pending = {
      kind: 'authentication',
      challenge: 'from-the-page',
      expiresAt: now + 240_000,
    } as const
    const read = { ceremony: pending, stored: JSON.stringify(pending) }
    // The interaction 'gone' has no row: reading its slot again would refuse the start.
    const options = await startSignIn(context, 'gone', now, { read })
    expect(options).toMatchObject({ challenge: 'from-the-page', timeout: 240_000 })
  })

  it("saves nothing over a challenge saved after the caller's read, and hands that one out", async () => {
    const saved = await startSignIn(context, 'i1')
    const staleRead = { ceremony: undefined, stored: undefined }
    const options = await startSignIn(context, 'i1', Date.now(), { read: staleRead })
    expect(options?.challenge).toBe(saved.challenge)
  })

  it("leaves a sign-up saved after the page's read alone, and gives the page no options", async () => {
    const owner = { model: 'Interaction', id: 'i1' } as const
    const signUp = {
      kind: 'new-passkey',
      challenge: 'a-sign-up-challenge',
      expiresAt: Date.now() + 300_000,
      accountId: 'a1',
    } as const
    await savePendingCeremony(db, owner, signUp)
    const staleRead = { ceremony: undefined, stored: undefined }
    expect(await startSignIn(context, 'i1', Date.now(), { read: staleRead })).toBeUndefined()
    expect((await readPendingCeremony(db, owner)).ceremony).toEqual(signUp)
    // The options endpoint (no page read) starts a sign-in in its place, as the person asked.
    expect((await startSignIn(context, 'i1')).challenge).not.toBe(signUp.challenge)
  })

  it('refuses to start for an interaction that no longer exists', async () => {
    await expect(startSignIn(context, 'gone')).rejects.toMatchObject({
      code: 'interaction_expired',
    })
  })
})
