import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Kysely } from 'kysely'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { openProviderStore } from '../store/openProviderStore.ts'
import type { ProviderDatabase } from '../store/schema.ts'
import { loadSigningKeys } from './loadSigningKeys.ts'
import { addNextSigningKeys, listSigningKeys, promoteNextSigningKeys } from './rotateSigningKeys.ts'
import { runKeysCommand } from './runKeysCommand.ts'

describe('signing-key rotation on a real SQLite file', () => {
  let dir: string
  let databaseUrl: string
  let db: Kysely<ProviderDatabase>

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'passkey-id-keys-'))
    databaseUrl = join(dir, 'provider.db')
    db = await openProviderStore(databaseUrl)
  })
  afterEach(async () => {
    await db.destroy()
    await rm(dir, { recursive: true, force: true })
  })

  const kids = async (keepRetiredForSeconds = 3600) =>
    (await loadSigningKeys(db, keepRetiredForSeconds)).keys.map((key) => `${key.alg}:${key.kid}`)

  it('creates one current key per algorithm on first load, and the same ones after', async () => {
    const first = await kids()
    expect(first.map((kid) => kid.split(':')[0])).toEqual(['RS256', 'ES256'])
    expect(await kids()).toEqual(first)
  })

  it('publishes next keys after the current ones, then signs with them once promoted', async () => {
    const before = await kids()
    const added = await addNextSigningKeys(db)
    expect(added).toHaveLength(2)
    expect(await addNextSigningKeys(db)).toEqual([])
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

  it('drives the same steps from the command line, with clear answers', async () => {
    const lines: string[] = []
    const print = (line: string) => lines.push(line)
    expect(await runKeysCommand(['promote'], databaseUrl, print)).toBe(1)
    expect(lines.join('\n')).toMatch(/run `keys add-next` first/)
    expect(await runKeysCommand(['add-next'], databaseUrl, print)).toBe(0)
    expect(lines.join('\n')).toMatch(/added next keys .* restart the provider/)
    expect(await runKeysCommand(['promote'], databaseUrl, print)).toBe(0)
    expect(lines.join('\n')).toMatch(/promoted .* restart the provider to sign with them/)
    lines.length = 0
    expect(await runKeysCommand(['list'], databaseUrl, print)).toBe(0)
    expect(lines.filter((line) => line.startsWith('current'))).toHaveLength(2)
    expect(lines.join('\n')).not.toMatch(/"d"|private/)
    expect(await runKeysCommand(['rotate-everything'], databaseUrl, print)).toBe(2)
    expect(lines.at(-1)).toMatch(/promote/)
  })
})
