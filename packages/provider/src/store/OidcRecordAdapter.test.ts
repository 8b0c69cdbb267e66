import { type TestDatabase, testDatabaseUrl } from '@passkey-id/testing/database'
import type { Kysely } from 'kysely'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { savePendingCeremony, takePendingCeremony } from '../passkeys/pendingCeremony.ts'
import { deleteExpiredRecords } from './deleteExpiredRecords.ts'
import { OidcRecordAdapter } from './OidcRecordAdapter.ts'
import { openProviderStore } from './openProviderStore.ts'
import type { ProviderDatabase } from './schema.ts'

describe('protocol records in a real database', () => {
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

  it('runs each query compiled once with new values, for each model apart', async () => {
    const sessions = new OidcRecordAdapter(db, 'Session')
    const grants = new OidcRecordAdapter(db, 'Grant')
    await Promise.all(
      ['s1', 's2', 's3'].map((id) => sessions.upsert(id, { uid: `u-${id}`, accountId: id }, 60)),
    )
    await grants.upsert('s1', { accountId: 'grant' }, 0)
    expect(await sessions.find('s2')).toEqual({ uid: 'u-s2', accountId: 's2' })
    expect(await sessions.findByUid('u-s3')).toEqual({ uid: 'u-s3', accountId: 's3' })
    expect(await grants.find('s1')).toEqual({ accountId: 'grant' })
    expect(await sessions.find('s1')).toEqual({ uid: 'u-s1', accountId: 's1' })
    await sessions.destroy('s1')
    expect(await grants.find('s1')).toEqual({ accountId: 'grant' })
  })

  it('finds, consumes and destroys nothing for a value holding NUL, which PostgreSQL refuses to bind', async () => {
    const codes = new OidcRecordAdapter(db, 'AuthorizationCode')
    await codes.upsert('c1', { grantId: 'g1', uid: 'u1', userCode: 'U1' }, 60)
    expect(await codes.find('c1\u0000')).toBeUndefined()
    expect(await codes.findByUid('u1\u0000x')).toBeUndefined()
    expect(await codes.findByUserCode('\u0000')).toBeUndefined()
    await expect(codes.consume('c1\u0000')).rejects.toMatchObject({ error: 'invalid_grant' })
    await codes.destroy('c1\u0000')
    expect(await codes.find('c1')).toEqual({ grantId: 'g1', uid: 'u1', userCode: 'U1' })
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
