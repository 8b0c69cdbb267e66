import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Kysely } from 'kysely'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { savePendingCeremony, takePendingCeremony } from '../passkeys/pendingCeremony.ts'
import { deleteExpiredRecords } from './deleteExpiredRecords.ts'
import { OidcRecordAdapter } from './OidcRecordAdapter.ts'
import { openProviderStore } from './openProviderStore.ts'
import type { ProviderDatabase } from './schema.ts'

describe('protocol records on a real SQLite file', () => {
  let dir: string
  let db: Kysely<ProviderDatabase>

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'passkey-id-store-'))
    db = await openProviderStore(join(dir, 'provider.db'))
  })
  afterEach(async () => {
    await db.destroy()
    await rm(dir, { recursive: true, force: true })
  })

  it('stores, finds by id, uid and user code, and destroys', async () => {
    const sessions = new OidcRecordAdapter(db, 'Session')
    await sessions.upsert('s1', { uid: 'u1', accountId: 'a1' }, 60)
    expect(await sessions.find('s1')).toEqual({ uid: 'u1', accountId: 'a1' })
    expect(await sessions.findByUid('u1')).toEqual({ uid: 'u1', accountId: 'a1' })
    await sessions.upsert('s1', { uid: 'u1', accountId: 'a2' }, 60)
    expect(await sessions.find('s1')).toMatchObject({ accountId: 'a2' })
    expect(await new OidcRecordAdapter(db, 'Grant').find('s1')).toBeUndefined()
    await sessions.destroy('s1')
    expect(await sessions.find('s1')).toBeUndefined()
  })

  it('lets a code be consumed once; a second consume is invalid_grant', async () => {
    const codes = new OidcRecordAdapter(db, 'AuthorizationCode')
    await codes.upsert('c1', { grantId: 'g1' }, 60)
    await codes.consume('c1')
    expect(await codes.find('c1')).toMatchObject({ consumed: expect.any(Number) })
    await expect(codes.consume('c1')).rejects.toMatchObject({ error: 'invalid_grant' })
  })

  it('revokes every record of a grant, and only of that model and grant', async () => {
    const tokens = new OidcRecordAdapter(db, 'AccessToken')
    await tokens.upsert('t1', { grantId: 'g1' }, 60)
    await tokens.upsert('t2', { grantId: 'g1' }, 60)
    await tokens.upsert('t3', { grantId: 'g2' }, 60)
    await tokens.revokeByGrantId('g1')
    expect(await tokens.find('t1')).toBeUndefined()
    expect(await tokens.find('t2')).toBeUndefined()
    expect(await tokens.find('t3')).toBeDefined()
  })

  it('hides expired records and cleans them up', async () => {
    const tokens = new OidcRecordAdapter(db, 'AccessToken')
    await tokens.upsert('old', { grantId: 'g' }, 1)
    await tokens.upsert('new', { grantId: 'g' }, 3600)
    const later = new Date(Date.now() + 5_000)
    expect(await deleteExpiredRecords(db, later)).toBe(1)
    expect(await tokens.find('old')).toBeUndefined()
    expect(await tokens.find('new')).toBeDefined()
  })

  it('keeps an interaction challenge through oidc-provider saves, and gives it out once', async () => {
    const interactions = new OidcRecordAdapter(db, 'Interaction')
    await interactions.upsert('i1', { uid: 'i1' }, 600)
    const ceremony = {
      kind: 'authentication',
      challenge: 'abc',
      expiresAt: Date.now() + 60_000,
    } as const
    expect(await savePendingCeremony(db, { model: 'Interaction', id: 'i1' }, ceremony)).toBe(true)
    await interactions.upsert('i1', { uid: 'i1', result: {} }, 600)
    const [first, second] = await Promise.all([
      takePendingCeremony(db, { model: 'Interaction', id: 'i1' }),
      takePendingCeremony(db, { model: 'Interaction', id: 'i1' }),
    ])
    expect([first, second].filter(Boolean)).toEqual([ceremony])
    expect(await takePendingCeremony(db, { model: 'Interaction', id: 'i1' })).toBeUndefined()
  })

  it('refuses an expired challenge and a challenge for a missing interaction', async () => {
    const interactions = new OidcRecordAdapter(db, 'Interaction')
    await interactions.upsert('i2', { uid: 'i2' }, 600)
    await savePendingCeremony(
      db,
      { model: 'Interaction', id: 'i2' },
      {
        kind: 'authentication',
        challenge: 'x',
        expiresAt: Date.now() - 1,
      },
    )
    expect(await takePendingCeremony(db, { model: 'Interaction', id: 'i2' })).toBeUndefined()
    expect(
      await savePendingCeremony(
        db,
        { model: 'Interaction', id: 'missing' },
        {
          kind: 'authentication',
          challenge: 'y',
          expiresAt: Date.now() + 1000,
        },
      ),
    ).toBe(false)
  })
})
