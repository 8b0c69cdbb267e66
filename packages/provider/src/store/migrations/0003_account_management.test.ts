import { migrateToLatest, openDatabase } from '@passkey-id/store'
import { type TestDatabase, testDatabaseUrl } from '@passkey-id/testing/database'
import { sql } from 'kysely'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import * as initial from './0001_initial.ts'
import * as profile from './0002_profile.ts'
import { providerMigrations } from './index.ts'

describe('migration 0003_account_management', () => {
  let database: TestDatabase
  beforeEach(async () => {
    database = await testDatabaseUrl()
  })
  afterEach(() => database.drop())

  it('names the account of protocol records written before it, and leaves passkeys unnamed', async () => {
    const db = openDatabase<unknown>(database.url)
    try {
      await migrateToLatest(
        db,
        { '0001_initial': initial, '0002_profile': profile },
        'provider_migrations',
      )
      await sql`insert into accounts (id, user_handle, username, username_key, avatar, created_at, updated_at)
        values ('a1', 'h1', 'alice', 'alice', 'fox', '2024-01-01', '2024-01-01')`.execute(db)
      await sql`insert into passkeys (id, account_id, public_key, counter, transports, device_type, backed_up, aaguid, created_at)
        values ('k1', 'a1', 'pk', 0, '[]', 'singleDevice', 0, 'x', '2024-01-01')`.execute(db)
      const records = [
        ['Grant', 'g1', { accountId: 'a1', clientId: 'https://app.example' }],
        ['AccessToken', 't1', { accountId: 'a1', grantId: 'g1' }],
        ['Interaction', 'i1', { session: { accountId: 'a1' } }],
        ['Session', 's1', { accountId: 42 }],
      ] as const
      for (const [model, id, payload] of records) {
        await sql`insert into oidc_records (model, id, payload) values (${model}, ${id}, ${JSON.stringify(payload)})`.execute(
          db,
        )
      }

      await migrateToLatest(db, providerMigrations, 'provider_migrations')

      const rows = await sql<{
        id: string
        account_id: string | null
      }>`select id, account_id from oidc_records order by id`.execute(db)
      expect(rows.rows).toEqual([
        { id: 'g1', account_id: 'a1' },
        { id: 'i1', account_id: null },
        { id: 's1', account_id: null },
        { id: 't1', account_id: 'a1' },
      ])
      const passkeys = await sql`select id, name from passkeys`.execute(db)
      expect(passkeys.rows).toEqual([{ id: 'k1', name: null }])
    } finally {
      await db.destroy()
    }
  })
})
