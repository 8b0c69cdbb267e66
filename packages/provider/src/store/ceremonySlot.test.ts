import { type TestDatabase, testDatabaseUrl } from '@passkey-id/testing/database'
import type { Kysely } from 'kysely'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import {
  claimSignUp,
  releaseSignUp,
  replaceCeremonySlot,
  takeCeremonySlot,
  writeCeremonySlot,
} from './ceremonySlot.ts'
import { OidcRecordAdapter } from './OidcRecordAdapter.ts'
import { openProviderStore } from './openProviderStore.ts'
import type { ProviderDatabase } from './schema.ts'

describe('one account per interaction, claimed in its ceremony slot', () => {
  let database: TestDatabase
  let db: Kysely<ProviderDatabase>
  const owner = { model: 'Interaction', id: 'i1' } as const

  beforeEach(async () => {
    database = await testDatabaseUrl()
    db = await openProviderStore(database.url)
    await new OidcRecordAdapter(db, 'Interaction').upsert('i1', { uid: 'i1' }, 60)
  })
  afterEach(async () => {
    await db.destroy()
    await database.drop()
  })

  it('lets one of 20 racing sign-ups claim the interaction', async () => {
    const claims = await Promise.all(Array.from({ length: 20 }, () => claimSignUp(db, 'i1')))
    expect(claims.filter(Boolean)).toHaveLength(1)
  })

  it('starts no ceremony once claimed, survives an interaction save, and can be released', async () => {
    expect(await writeCeremonySlot(db, owner, '{"kind":"registration"}')).toBe(true)
    expect(await takeCeremonySlot(db, owner)).toBe('{"kind":"registration"}')
    expect(await claimSignUp(db, 'i1')).toBe(true)
    expect(await writeCeremonySlot(db, owner, '{"kind":"registration"}')).toBe(false)
    expect(await takeCeremonySlot(db, owner)).toBeUndefined()
    // oidc-provider saves the interaction with its result: the claim stays.
    await new OidcRecordAdapter(db, 'Interaction').upsert('i1', { uid: 'i1', result: {} }, 60)
    expect(await claimSignUp(db, 'i1')).toBe(false)
    await releaseSignUp(db, 'i1')
    expect(await writeCeremonySlot(db, owner, '{"kind":"registration"}')).toBe(true)
  })

  it('lets one of 20 racing replacements of what they read through, from empty or from a value', async () => {
    const race = (expected: string | undefined) =>
      Promise.all(
        Array.from({ length: 20 }, (_, i) => replaceCeremonySlot(db, owner, expected, `v${i}`)),
      )
    expect((await race(undefined)).filter(Boolean)).toHaveLength(1)
    const winner = await takeCeremonySlot(db, owner)
    expect(winner).toMatch(/^v\d+$/)
    await writeCeremonySlot(db, owner, 'read')
    expect((await race('read')).filter(Boolean)).toHaveLength(1)
    // Neither a value it did not read nor an account's claim is replaced.
    expect(await replaceCeremonySlot(db, owner, 'read', 'late')).toBe(false)
    await takeCeremonySlot(db, owner)
    expect(await claimSignUp(db, 'i1')).toBe(true)
    expect(await replaceCeremonySlot(db, owner, undefined, 'after')).toBe(false)
  })

  it('claims nothing for an interaction that no longer exists', async () => {
    expect(await claimSignUp(db, 'gone')).toBe(false)
  })
})
