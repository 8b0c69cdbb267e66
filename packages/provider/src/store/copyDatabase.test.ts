import { writeFile } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { openDatabase } from '@passkey-id/store'
import { type TestDatabase, testDatabaseUrl } from '@passkey-id/testing/database'
import { type Kysely, sql } from 'kysely'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { COPIED_TABLES, copyDatabase } from './copyDatabase.ts'
import { providerMigrations } from './migrations/index.ts'
import { openProviderStore } from './openProviderStore.ts'
import type { ProviderDatabase } from './schema.ts'

const NOW = new Date('2030-01-01T00:00:00.000Z')
/** More live records than two batches of 500 hold, so the last batch is a partial one. */
const LIVE_RECORDS = 1201
const EXPIRED_RECORDS = 3
const STAMP = '2029-12-31T00:00:00.000Z'

/** Values that must cross unchanged: the largest counter, newlines, quotes, a snowman, escaped NUL. */
const account = {
  id: 'a1',
  user_handle: 'h1',
  username: 'Ålice ☃',
  username_key: 'ålice ☃',
  email: 'alice@example.com',
  avatar: 'fox',
  created_at: STAMP,
  updated_at: STAMP,
  address_street: 'line 1\nline 2 “quoted”',
}
const passkey = {
  id: 'k1',
  account_id: 'a1',
  public_key: 'pQECAyYgASFYIA',
  counter: 4294967295,
  transports: '["internal","hybrid"]',
  device_type: 'multiDevice',
  backed_up: 1,
  aaguid: '00000000-0000-0000-0000-000000000000',
  created_at: STAMP,
  last_used_at: null,
  name: 'my phone',
}

function record(id: number, expiresAt: string | null) {
  return {
    model: 'Session',
    id: `s${id}`,
    payload: JSON.stringify({ note: 'a\u0000b', id }),
    grant_id: null,
    uid: `u${id}`,
    user_code: null,
    expires_at: expiresAt,
    consumed_at: null,
    account_id: 'a1',
    webauthn_challenge: null,
  }
}

/** A row as JSON with its columns in name order, whatever order a database returns them in. */
const asJson = (row: object) => JSON.stringify(row, Object.keys(row).sort())

/** Every row of the provider's tables, ordered, as JSON. */
async function rows(db: Kysely<ProviderDatabase>) {
  const dump: Record<string, string[]> = {}
  for (const table of COPIED_TABLES) {
    dump[table] = (await db.selectFrom(table).selectAll().execute()).map(asJson).sort()
  }
  return dump
}

describe('copyDatabase', () => {
  let sqlite: TestDatabase
  let postgres: TestDatabase
  let source: Kysely<ProviderDatabase>

  beforeEach(async () => {
    sqlite = await testDatabaseUrl('provider', {})
    postgres = await testDatabaseUrl('provider', {
      ...process.env,
      PASSKEY_ID_TEST_DATABASE: 'postgres',
    })
    source = await openProviderStore(sqlite.url)
  })
  afterEach(async () => {
    await source.destroy()
    await sqlite.drop()
    await postgres.drop()
  })

  it('copies every table byte for byte in batches, leaving expired records behind', async () => {
    await source.insertInto('accounts').values(account).execute()
    await source.insertInto('passkeys').values(passkey).execute()
    await source
      .insertInto('email_codes')
      .values({
        account_id: 'a1',
        email: 'a1@example.com',
        code_hash: 'hmac-of-the-code',
        attempts: 2,
        expires_at: '2030-01-02T00:00:00.000Z',
        created_at: STAMP,
      })
      .execute()
    await source
      .insertInto('consents')
      .values({
        account_id: 'a1',
        client_id: 'https://one.example',
        scopes: 'openid email',
        created_at: STAMP,
        updated_at: STAMP,
      })
      .execute()
    await source
      .insertInto('security_events')
      .values({
        account_id: 'a1',
        slot: 0,
        seq: 1,
        kind: 'sign_up',
        ip: '203.0.113.7',
        client_id: 'https://one.example',
        created_at: STAMP,
      })
      .execute()
    await source
      .insertInto('signing_keys')
      .values({
        kid: 'kid1',
        alg: 'ES256',
        state: 'current',
        private_jwk: 'enc1.keyid.iv.sealed',
        created_at: STAMP,
        updated_at: STAMP,
      })
      .execute()
    await source
      .insertInto('secrets')
      .values({ name: 'pairwise-salt', value: 'enc1.keyid.iv.salt', created_at: STAMP })
      .execute()
    const live = Array.from({ length: LIVE_RECORDS }, (_, id) =>
      record(id, id === 0 ? null : '2030-01-02T00:00:00.000Z'),
    )
    const expired = Array.from({ length: EXPIRED_RECORDS }, (_, id) =>
      record(LIVE_RECORDS + id, NOW.toISOString()),
    )
    for (let start = 0; start < live.length; start += 400)
      await source
        .insertInto('oidc_records')
        .values(live.slice(start, start + 400))
        .execute()
    await source.insertInto('oidc_records').values(expired).execute()

    expect(await copyDatabase(sqlite.url, postgres.url, NOW)).toEqual({
      copied: [
        { table: 'accounts', rows: 1 },
        { table: 'email_codes', rows: 1 },
        { table: 'passkeys', rows: 1 },
        { table: 'consents', rows: 1 },
        { table: 'security_events', rows: 1 },
        { table: 'signing_keys', rows: 1 },
        { table: 'secrets', rows: 1 },
        { table: 'oidc_records', rows: LIVE_RECORDS },
      ],
      expired: EXPIRED_RECORDS,
    })
    const target = openDatabase<ProviderDatabase>(postgres.url)
    try {
      const expected = await rows(source)
      expected.oidc_records = live.map(asJson).sort()
      expect(await rows(target)).toEqual(expected)
    } finally {
      await target.destroy()
    }
  })

  it('refuses a source whose schema a newer version migrated, changing neither database', async () => {
    await (
      source as unknown as Kysely<{ provider_migrations: { name: string; timestamp: string } }>
    )
      .insertInto('provider_migrations')
      .values({ name: '0099_future', timestamp: STAMP })
      .execute()
    const latest = Object.keys(providerMigrations).at(-1)
    await expect(copyDatabase(sqlite.url, postgres.url)).rejects.toThrow(
      `--from ${sqlite.url}: the database was upgraded by a newer version of passkey-id (migration 0099_future; this version knows up to ${latest}): run that version or a newer one; nothing was changed`,
    )
    const target = openDatabase<ProviderDatabase>(postgres.url)
    try {
      const tables =
        await sql`select table_name from information_schema.tables where table_schema = current_schema()`.execute(
          target,
        )
      expect(tables.rows).toEqual([])
    } finally {
      await target.destroy()
    }
  })

  it('refuses, in one line, what it cannot copy from or into', async () => {
    const folder = dirname(sqlite.url)
    const notSqlite = join(folder, 'notes.txt')
    await writeFile(notSqlite, 'not a database, just some words of text.\n'.repeat(40))
    const empty = join(folder, 'empty.db')
    await writeFile(empty, '')
    const cases: [string, string, string][] = [
      [
        postgres.url,
        postgres.url,
        '--from names a PostgreSQL database: db copy copies from a SQLite file (--from sqlite:./data/passkey-id.db) into the PostgreSQL database of DATABASE_URL',
      ],
      [
        sqlite.url,
        join(folder, 'other.db'),
        'DATABASE_URL names a SQLite file: set it to the empty PostgreSQL database to copy into (postgres://user@host:5432/database); to move a SQLite database elsewhere, stop the provider and copy the file',
      ],
      [
        join(folder, 'missing.db'),
        postgres.url,
        `--from: there is no file at ${folder}/missing.db`,
      ],
      [
        notSqlite,
        postgres.url,
        `--from ${notSqlite} cannot be read as a SQLite database: file is not a database`,
      ],
      [
        empty,
        postgres.url,
        `--from ${empty} holds no passkey-id database (no provider_migrations table): name the file DATABASE_URL named when the provider ran on SQLite`,
      ],
      [
        '',
        postgres.url,
        '--from is empty: give the SQLite file the provider ran on, such as sqlite:./data/passkey-id.db',
      ],
    ]
    for (const [from, into, message] of cases) {
      const refusal = await copyDatabase(from, into).then(
        () => new Error('copied'),
        (error: Error) => error,
      )
      expect(refusal.message).toBe(message)
      expect(refusal.name).toBe('ConfigError')
    }
  })
})
