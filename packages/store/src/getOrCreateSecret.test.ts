import { randomBytes } from 'node:crypto'
import type { Kysely } from 'kysely'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createTestDatabase, type TestDatabase } from '../test/createTestDatabase.ts'
import { getOrCreateSecret, type SecretsTable } from './getOrCreateSecret.ts'
import { openDatabase } from './openDatabase.ts'
import { createSecretBox } from './secretBox.ts'

interface Schema {
  secrets: SecretsTable
}

describe.each(['sqlite', 'postgres'] as const)('getOrCreateSecret on %s', (kind) => {
  let db: Kysely<Schema>
  let database: TestDatabase

  beforeEach(async () => {
    database = await createTestDatabase(kind)
    db = openDatabase<Schema>(database.url)
    await db.schema
      .createTable('secrets')
      .addColumn('name', 'text', (column) => column.primaryKey())
      .addColumn('value', 'text', (column) => column.notNull())
      .addColumn('created_at', 'text', (column) => column.notNull())
      .execute()
  })
  afterEach(async () => {
    await db.destroy()
    await database.drop()
  })

  const stored = async (name: string) =>
    (await db.selectFrom('secrets').select('value').where('name', '=', name).executeTakeFirst())
      ?.value

  it('without a box, stores 32 random bytes in clear and returns the same value every time', async () => {
    const first = await getOrCreateSecret(db, 'secrets', 'salt')
    expect(Buffer.from(first, 'base64url')).toHaveLength(32)
    expect(await stored('salt')).toBe(first)
    expect(await getOrCreateSecret(db, 'secrets', 'salt')).toBe(first)
    expect(await getOrCreateSecret(db, 'secrets', 'other')).not.toBe(first)
  })

  it('agrees on one value when many callers create it at once', async () => {
    const box = createSecretBox([randomBytes(32)])
    const values = await Promise.all(
      Array.from({ length: 8 }, () => getOrCreateSecret(db, 'secrets', 'salt', box)),
    )
    expect(new Set(values).size).toBe(1)
  })

  it('with a box, stores the value sealed for its row and opens it when read', async () => {
    const box = createSecretBox([randomBytes(32)])
    const value = await getOrCreateSecret(db, 'secrets', 'salt', box)
    const sealed = String(await stored('salt'))
    expect(sealed).toMatch(/^enc1\./)
    expect(box.open(sealed, 'secrets/salt')).toBe(value)
    expect(await getOrCreateSecret(db, 'secrets', 'salt', box)).toBe(value)
  })

  it('refuses, and creates nothing, when the stored value cannot be opened', async () => {
    const clear = await getOrCreateSecret(db, 'secrets', 'salt')
    const box = createSecretBox([randomBytes(32)])
    await expect(getOrCreateSecret(db, 'secrets', 'salt', box)).rejects.toThrow(
      'secrets/salt is stored in clear although ENCRYPTION_KEY is set: run npm run provider -- secrets encrypt',
    )
    expect(await stored('salt')).toBe(clear)

    await db
      .updateTable('secrets')
      .set({ value: box.seal(clear, 'secrets/salt') })
      .execute()
    const sealed = await stored('salt')
    await expect(getOrCreateSecret(db, 'secrets', 'salt')).rejects.toThrow(
      `secrets/salt is encrypted (key id ${box.keyId}) but ENCRYPTION_KEY is not set`,
    )
    await expect(
      getOrCreateSecret(db, 'secrets', 'salt', createSecretBox([randomBytes(32)])),
    ).rejects.toThrow(/^ENCRYPTION_KEY does not match/)
    expect(await stored('salt')).toBe(sealed)
    expect(await db.selectFrom('secrets').select('name').execute()).toHaveLength(1)
  })
})
