import { databaseKind, migrateToLatest, openDatabase } from '@passkey-id/store'
import { type TestDatabase, testDatabaseUrl } from '@passkey-id/testing/database'
import { type Compilable, CompiledQuery, type Kysely, sql } from 'kysely'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { ProviderDatabase } from '../schema.ts'
import { providerMigrations } from './index.ts'

const NOW = '2030-01-01T00:00:00.000Z'

describe('migration 0006_partial_record_indexes', () => {
  let database: TestDatabase
  let db: Kysely<ProviderDatabase>
  beforeEach(async () => {
    database = await testDatabaseUrl()
    db = openDatabase<ProviderDatabase>(database.url)
  })
  afterEach(async () => {
    await db.destroy()
    await database.drop()
  })

  const before = Object.fromEntries(
    Object.entries(providerMigrations).filter(([name]) => name < '0006'),
  )

  it('keeps the uid of sessions alone, the only records looked up by it', async () => {
    await migrateToLatest(db as Kysely<unknown>, before, 'provider_migrations')
    for (const [model, id, uid, grantId] of [
      ['Session', 's1', 'u1', null],
      ['Interaction', 'i1', 'u1', 'g1'],
      ['AccessToken', 't1', null, 'g1'],
    ] as const) {
      await db
        .insertInto('oidc_records')
        .values({ model, id, payload: '{}', uid, grant_id: grantId })
        .execute()
    }

    await migrateToLatest(db as Kysely<unknown>, providerMigrations, 'provider_migrations')

    const rows = await db
      .selectFrom('oidc_records')
      .select(['id', 'uid', 'grant_id'])
      .orderBy('id')
      .execute()
    expect(rows).toEqual([
      { id: 'i1', uid: null, grant_id: 'g1' },
      { id: 's1', uid: 'u1', grant_id: null },
      { id: 't1', uid: null, grant_id: 'g1' },
    ])
  })

  // Every query of the provider that reads or deletes protocol records by something else than its
  // key, built as the code builds it, with bound parameters: each must still find its rows through
  // an index on both dialects (PostgreSQL asked for the generic plan a pool's statements get).
  const records = (db: Kysely<ProviderDatabase>) => db.selectFrom('oidc_records').select('payload')
  const unexpired = (query: ReturnType<typeof records>) =>
    query.where((where) =>
      where.or([where('expires_at', 'is', null), where('expires_at', '>', NOW)]),
    )
  const lookups: [string, string, (db: Kysely<ProviderDatabase>) => Compilable<unknown>][] = [
    [
      'a session by uid (OidcRecordAdapter.findByUid)',
      'oidc_records_uid',
      (db) => unexpired(records(db).where('model', '=', 'Session').where('uid', '=', 'u1')),
    ],
    [
      'the tokens of a revoked grant (OidcRecordAdapter.revokeByGrantId)',
      'oidc_records_grant_id',
      (db) =>
        db
          .deleteFrom('oidc_records')
          .where('model', '=', 'AccessToken')
          .where('grant_id', '=', 'g1'),
    ],
    [
      'every record of deleted grants (deleteGrants)',
      'oidc_records_grant_id',
      (db) => db.deleteFrom('oidc_records').where('grant_id', 'in', ['g1', 'g2']),
    ],
    [
      'the grants of an account (grantIdsOfAccount)',
      'oidc_records_account_id',
      (db) =>
        db
          .selectFrom('oidc_records')
          .select('id')
          .where('model', '=', 'Grant')
          .where('account_id', '=', 'a1'),
    ],
    [
      'expired records (deleteExpiredRecords)',
      'oidc_records_expires_at',
      (db) => db.deleteFrom('oidc_records').where('expires_at', '<=', NOW),
    ],
  ]

  it.each(lookups)('finds %s through %s', async (_, index, build) => {
    await migrateToLatest(db as Kysely<unknown>, providerMigrations, 'provider_migrations')
    const plan = await planOf(db, build(db).compile())
    expect(plan).toContain(index)
    // The index is searched by its key ("(grant_id=?)", "Index Cond: (grant_id = ANY ..."), not read
    // whole with the condition as a filter.
    const key = index.replace('oidc_records_', '')
    expect(plan).toMatch(new RegExp(`\\(${key}( |=|<)`))
  })
})

/** The plan the database makes for `query`, as text. */
async function planOf(db: Kysely<ProviderDatabase>, query: CompiledQuery): Promise<string> {
  if (databaseKind(db) === 'sqlite') {
    const { rows } = await db.executeQuery<{ detail: string }>(
      CompiledQuery.raw(`explain query plan ${query.sql}`, [...query.parameters]),
    )
    return rows.map((row) => row.detail).join('\n')
  }
  // An empty table is read whole whatever the indexes: forbid that to see whether one is usable.
  return db.transaction().execute(async (trx) => {
    await sql`set local enable_seqscan = off`.execute(trx)
    await sql`set local plan_cache_mode = force_generic_plan`.execute(trx)
    await trx.executeQuery(CompiledQuery.raw(`prepare planned as ${query.sql}`))
    const values = query.parameters.map((value) => `'${String(value).replaceAll("'", "''")}'`)
    const { rows } = await trx.executeQuery<{ 'QUERY PLAN': string }>(
      CompiledQuery.raw(`explain execute planned(${values.join(', ')})`),
    )
    await sql`deallocate planned`.execute(trx)
    return rows.map((row) => row['QUERY PLAN']).join('\n')
  })
}
