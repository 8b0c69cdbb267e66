import { randomBytes } from 'node:crypto'
import { createSecretBox } from '@passkey-id/store'
import { type TestDatabase, testDatabaseUrl } from '@passkey-id/testing/database'
import type { Kysely } from 'kysely'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { openProviderStore } from '../store/openProviderStore.ts'
import type { ProviderDatabase } from '../store/schema.ts'
import { loadSigningKeys } from './loadSigningKeys.ts'
import { addNextSigningKeys, listSigningKeys, promoteNextSigningKeys } from './rotateSigningKeys.ts'
import { runKeysCommand } from './runKeysCommand.ts'

describe('signing-key rotation in a real database', () => {
  let database: TestDatabase
  let databaseUrl: string
  let db: Kysely<ProviderDatabase>
  const encryptionKeys = [randomBytes(32)]
  const box = createSecretBox(encryptionKeys)
  const config = () => ({ databaseUrl, encryptionKeys })

  beforeEach(async () => {
    database = await testDatabaseUrl()
    databaseUrl = database.url
    db = await openProviderStore(databaseUrl)
  })
  afterEach(async () => {
    await db.destroy()
    await database.drop()
  })

  const kids = async (keepRetiredForSeconds = 3600) =>
    (await loadSigningKeys(db, keepRetiredForSeconds, box)).keys.map(
      (key) => `${key.alg}:${key.kid}`,
    )

  it('creates one current key per algorithm on first load, and the same ones after', async () => {
    const first = await kids()
    expect(first.map((kid) => kid.split(':')[0])).toEqual(['RS256', 'ES256'])
    expect(await kids()).toEqual(first)
  })

  it('publishes next keys after the current ones, then signs with them once promoted', async () => {
    const before = await kids()
    const added = await addNextSigningKeys(db, box)
    expect(added).toHaveLength(2)
    expect(await addNextSigningKeys(db, box)).toEqual([])
    const withNext = await kids()
    expect(withNext.slice(0, 2)).toEqual(before)
    expect(withNext.slice(2).map((kid) => kid.split(':')[1])).toEqual(added)

    expect(await promoteNextSigningKeys(db)).toEqual(added)
    const promoted = await kids()
    expect(promoted.slice(0, 2).map((kid) => kid.split(':')[1])).toEqual(added)
    expect(promoted.slice(2)).toEqual(before)
    expect((await listSigningKeys(db)).filter((key) => key.state === 'retired')).toHaveLength(2)

    // Retired keys stop being published once the ID tokens they signed have expired.
    expect(await kids(0)).toEqual(promoted.slice(0, 2))
    expect(await promoteNextSigningKeys(db)).toEqual([])
  })

  it('stores each private key sealed for its row, which listing and promoting never open', async () => {
    await kids()
    await addNextSigningKeys(db, box)
    const rows = await db.selectFrom('signing_keys').select(['kid', 'private_jwk']).execute()
    expect(rows).toHaveLength(4)
    for (const row of rows) {
      expect(row.private_jwk).toMatch(/^enc1\./)
      expect(JSON.parse(box.open(row.private_jwk, `signing_keys/${row.kid}`)).kid).toBe(row.kid)
    }
    // Without the key, or with one value moved to another row, the keys cannot be loaded, yet they
    // can still be listed and promoted.
    const [first, second] = rows
    await db
      .updateTable('signing_keys')
      .set({ private_jwk: String(second?.private_jwk) })
      .where('kid', '=', String(first?.kid))
      .execute()
    await expect(loadSigningKeys(db, 3600, box)).rejects.toThrow(/integrity check/)
    await expect(loadSigningKeys(db, 3600, createSecretBox([]))).rejects.toThrow(
      /is encrypted \(key id .*\) but ENCRYPTION_KEY is not set/,
    )
    expect(await listSigningKeys(db)).toHaveLength(4)
    expect(await promoteNextSigningKeys(db)).toHaveLength(2)
  })

  it('refuses to add next keys without the key the current ones are sealed with', async () => {
    await kids()
    await expect(addNextSigningKeys(db, createSecretBox([]))).rejects.toThrow(
      /is encrypted \(key id .*\) but ENCRYPTION_KEY is not set/,
    )
    await expect(addNextSigningKeys(db, createSecretBox([randomBytes(32)]))).rejects.toThrow(
      /^ENCRYPTION_KEY does not match/,
    )
    expect(await listSigningKeys(db)).toHaveLength(2)
  })

  it('drives the same steps from the command line, with clear answers', async () => {
    const lines: string[] = []
    const print = (line: string) => lines.push(line)
    expect(await runKeysCommand(['promote'], config(), print)).toBe(1)
    expect(lines.join('\n')).toMatch(/run `keys add-next` first/)
    expect(await runKeysCommand(['add-next'], config(), print)).toBe(0)
    expect(lines.join('\n')).toMatch(/added next keys .* restart the provider/)
    expect(await runKeysCommand(['promote'], config(), print)).toBe(0)
    expect(lines.join('\n')).toMatch(/promoted .* restart the provider to sign with them/)
    lines.length = 0
    expect(await runKeysCommand(['list'], config(), print)).toBe(0)
    expect(lines.filter((line) => line.startsWith('current'))).toHaveLength(2)
    expect(lines.join('\n')).not.toMatch(/"d"|private/)
    expect(await runKeysCommand(['rotate-everything'], config(), print)).toBe(2)
    expect(lines.at(-1)).toMatch(/promote/)
  })
})
