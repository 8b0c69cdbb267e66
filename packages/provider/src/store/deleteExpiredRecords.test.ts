import { randomBytes } from 'node:crypto'
import { type TestDatabase, testDatabaseUrl } from '@passkey-id/testing/database'
import Fastify from 'fastify'
import type { Kysely } from 'kysely'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { insertAccount } from '../accounts/accountStore.ts'
import { recordSecurityEvent } from '../events/recordSecurityEvent.ts'
import { deleteExpiredRecords } from './deleteExpiredRecords.ts'
import { openProviderStore } from './openProviderStore.ts'
import type { ProviderDatabase } from './schema.ts'

const DAY = 86_400_000

describe('deleteExpiredRecords', () => {
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

  it('deletes the security events older than the days given (SECURITY_EVENTS_DAYS), and no others', async () => {
    const userHandle = randomBytes(16).toString('base64url')
    const account = (await insertAccount(db, { username: 'alice', email: null, userHandle })).id
    const source = { ip: '192.0.2.1', log: Fastify({ logger: false }).log }
    for (const kind of ['sign_up', 'sign_in', 'passkey_added'] as const)
      await recordSecurityEvent(db, source, { kind, account })
    const now = new Date()
    // Written 31 days, 29 days and just now before the cleanup.
    const ages = { 1: 31, 2: 29, 3: 0 }
    for (const [seq, days] of Object.entries(ages))
      await db
        .updateTable('security_events')
        .set({ created_at: new Date(now.getTime() - days * DAY).toISOString() })
        .where('seq', '=', Number(seq))
        .execute()

    await deleteExpiredRecords(db, now, 30)
    const kept = await db.selectFrom('security_events').select('kind').orderBy('seq').execute()
    expect(kept.map((row) => row.kind)).toEqual(['sign_in', 'passkey_added'])

    await deleteExpiredRecords(db, now, 7)
    const left = await db.selectFrom('security_events').select('kind').execute()
    expect(left.map((row) => row.kind)).toEqual(['passkey_added'])
  })
})
