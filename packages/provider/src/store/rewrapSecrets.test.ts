import { randomBytes } from 'node:crypto'
import { createSecretBox, getOrCreateSecret } from '@passkey-id/store'
import { type TestDatabase, testDatabaseUrl } from '@passkey-id/testing/database'
import type { Kysely } from 'kysely'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { ensureSigningKeys } from '../keys/ensureSigningKeys.ts'
import { openProviderStore } from './openProviderStore.ts'
import { rewrapSecrets } from './rewrapSecrets.ts'
import type { ProviderDatabase } from './schema.ts'

describe('rewrapSecrets', () => {
  let database: TestDatabase
  let db: Kysely<ProviderDatabase>
  const clear = createSecretBox([])
  const [k1, k2] = [randomBytes(32), randomBytes(32)]

  beforeEach(async () => {
    database = await testDatabaseUrl()
    db = await openProviderStore(database.url)
    await ensureSigningKeys(db, 'current', clear)
    await getOrCreateSecret(db, 'secrets', 'pairwise-salt', clear)
  })
  afterEach(async () => {
    await db.destroy()
    await database.drop()
  })

  /** Every stored value by where it lives. */
  async function stored(): Promise<Record<string, string>> {
    const secrets = await db.selectFrom('secrets').select(['name', 'value']).execute()
    const keys = await db.selectFrom('signing_keys').select(['kid', 'private_jwk']).execute()
    return Object.fromEntries([
      ...secrets.map((row) => [`secrets/${row.name}`, row.value]),
      ...keys.map((row) => [`signing_keys/${row.kid}`, row.private_jwk]),
    ])
  }

  it('encrypts clear values, then re-seals them under a new first key, each run idempotent', async () => {
    const before = await stored()
    const wheres = Object.keys(before).sort()
    const encrypted = await rewrapSecrets(db, createSecretBox([k1]), { fromClear: true })
    expect(encrypted.encrypted.sort()).toEqual(wheres)
    expect(encrypted.resealed).toEqual([])
    expect(await rewrapSecrets(db, createSecretBox([k1]), { fromClear: true })).toEqual({
      encrypted: [],
      resealed: [],
      unchanged: expect.arrayContaining(wheres),
    })

    const ring = createSecretBox([k2, k1])
    const rotated = await rewrapSecrets(db, ring, { fromClear: false })
    expect(rotated.resealed.sort()).toEqual(wheres)
    const after = await stored()
    const onlyNew = createSecretBox([k2])
    for (const where of wheres) {
      expect(onlyNew.keyIdOf(String(after[where]))).toBe(onlyNew.keyId)
      expect(onlyNew.open(String(after[where]), where)).toBe(before[where])
    }
  })

  it('changes nothing when one value cannot be opened', async () => {
    await rewrapSecrets(db, createSecretBox([k1]), { fromClear: true })
    // A clear value planted among sealed ones: a rotation refuses it, and rolls back all.
    await db.updateTable('secrets').set({ value: 'planted' }).execute()
    const before = await stored()
    await expect(
      rewrapSecrets(db, createSecretBox([k2, k1]), { fromClear: false }),
    ).rejects.toThrow(/secrets\/pairwise-salt is stored in clear although ENCRYPTION_KEY is set/)
    // A key outside the keyring refuses everything sealed under k1, after any clear value.
    await expect(rewrapSecrets(db, createSecretBox([k2]), { fromClear: true })).rejects.toThrow(
      /^ENCRYPTION_KEY does not match/,
    )
    expect(await stored()).toEqual(before)
  })
})
