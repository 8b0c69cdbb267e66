import { migrateToLatest, openDatabase } from '@passkey-id/store'
import { type TestDatabase, testDatabaseUrl } from '@passkey-id/testing/database'
import { sql } from 'kysely'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import * as initial from './0001_initial.ts'
import { providerMigrations } from './index.ts'

describe('migration 0002_profile', () => {
  let database: TestDatabase
  beforeEach(async () => {
    database = await testDatabaseUrl()
  })
  afterEach(() => database.drop())

  it('adds empty profile columns to a database at 0001, keeping its accounts', async () => {
    const db = openDatabase<unknown>(database.url)
    try {
      await migrateToLatest(db, { '0001_initial': initial }, 'provider_migrations')
      const row = {
        id: 'a1',
        user_handle: 'h1',
        username: 'Alice',
        username_key: 'alice',
        email: 'alice@example.com',
        avatar: 'fox',
        created_at: '2024-01-01T00:00:00.000Z',
        updated_at: '2024-01-02T00:00:00.000Z',
      }
      await sql`insert into accounts (id, user_handle, username, username_key, email, avatar, created_at, updated_at)
        values (${row.id}, ${row.user_handle}, ${row.username}, ${row.username_key}, ${row.email}, ${row.avatar}, ${row.created_at}, ${row.updated_at})`.execute(
        db,
      )
      await sql`insert into passkeys (id, account_id, public_key, counter, transports, device_type, backed_up, aaguid, created_at)
        values ('k1', 'a1', 'pk', 3, '[]', 'singleDevice', 0, 'x', ${row.created_at})`.execute(db)

      await migrateToLatest(db, providerMigrations, 'provider_migrations')

      const accounts = await sql<Record<string, unknown>>`select * from accounts`.execute(db)
      expect(accounts.rows).toEqual([
        {
          ...row,
          phone_number: null,
          name: null,
          given_name: null,
          family_name: null,
          birthdate: null,
          gender: null,
          locale: null,
          zoneinfo: null,
          website: null,
          address_street: null,
          address_locality: null,
          address_region: null,
          address_postal_code: null,
          address_country: null,
          profile_updated_at: null,
          disabled_at: null,
          email_verified_at: null,
          verified_email_key: null,
        },
      ])
      const passkeys = await sql`select id, account_id, counter from passkeys`.execute(db)
      expect(passkeys.rows).toEqual([{ id: 'k1', account_id: 'a1', counter: 3 }])
    } finally {
      await db.destroy()
    }
  })
})
