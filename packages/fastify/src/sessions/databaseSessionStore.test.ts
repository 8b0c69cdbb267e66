import { openDatabase } from '@passkey-id/store'
import {
  type HeldMigrationLock,
  holdMigrationLock,
  type TestDatabase,
  testDatabaseUrl,
  untilWaitingForMigrationLock,
} from '@passkey-id/testing/database'
import { freePort } from '@passkey-id/testing/http'
import { type Kysely, sql } from 'kysely'
import { afterEach, describe, expect, it } from 'vitest'
import { databaseSessionStore, type SessionDatabase } from './databaseSessionStore.ts'
import type { ApiSession } from './SessionStore.ts'

const HOUR = 3600 * 1000

function session(id: string, sub: string, expiresIn = HOUR): ApiSession {
  const now = Date.now()
  return {
    id,
    sub,
    scopes: ['openid', 'avatar'],
    accessToken: `token-of-${id}`,
    profile: { name: 'Ada' },
    createdAt: new Date(now),
    expiresAt: new Date(now + expiresIn),
  }
}

describe('databaseSessionStore', () => {
  const databases: TestDatabase[] = []
  afterEach(async () => {
    for (const database of databases.splice(0)) await database.drop()
  })
  async function newDatabase(env: NodeJS.ProcessEnv = process.env) {
    const database = await testDatabaseUrl('sessions', env)
    databases.push(database)
    return database
  }

  it('shares sessions and the cookie secret between two instances on one database', async () => {
    const { url } = await newDatabase()
    const first = await databaseSessionStore(url)
    const second = await databaseSessionStore(url)
    try {
      const live = session('s1', 'ada')
      await first.create(live)
      await first.create(session('s0', 'ada', -1000))
      expect(await second.find('s1')).toEqual(live)
      expect(await second.find('s0')).toBeUndefined()
      expect(await second.cookieSecret()).toBe(await first.cookieSecret())
      expect(await second.deleteBySubject('ada')).toBe(2)
      expect(await first.find('s1')).toBeUndefined()
    } finally {
      await first.close()
      await second.close()
    }
  })

  it('ends the sessions kept before their cookie was digested and their token sealed', async () => {
    const { url } = await newDatabase()
    const store = await databaseSessionStore(url)
    await store.close()
    // A session as the store kept it before 0003: the cookie's value as its id, the token in clear.
    const db = openDatabase<
      Pick<SessionDatabase, 'api_sessions'> & { api_session_migrations: { name: string } }
    >(url)
    try {
      const before = session('the-cookie-value', 'ada')
      await db
        .insertInto('api_sessions')
        .values({
          id: before.id,
          sub: before.sub,
          scopes: before.scopes.join(' '),
          access_token: before.accessToken,
          profile: JSON.stringify(before.profile),
          created_at: before.createdAt.toISOString(),
          expires_at: before.expiresAt.toISOString(),
        })
        .execute()
      await db
        .deleteFrom('api_session_migrations')
        .where('name', '=', '0003_sealed_sessions')
        .execute()
      const migrated = await databaseSessionStore(url)
      await migrated.close()
      expect(await db.selectFrom('api_sessions').selectAll().execute()).toEqual([])
    } finally {
      await db.destroy()
    }
  })

  it('refuses to start on a database it cannot reach, in one line naming its option', async () => {
    const closed = `postgres://postgres:secret@127.0.0.1:${await freePort()}/test`
    const opening = databaseSessionStore(closed)
    await expect(opening).rejects.toThrow(
      /^passkeyId option sessions\.databaseUrl postgres:\/\/postgres:\*\*\*@127\.0\.0\.1:\d+\/test: cannot connect: connect ECONNREFUSED 127\.0\.0\.1:\d+ \(ECONNREFUSED\)$/,
    )
    await expect(opening).rejects.toMatchObject({ name: 'ConfigError' })
  })

  it('holds at most 5 PostgreSQL connections however many lookups wait', async () => {
    const database = await newDatabase({ ...process.env, PASSKEY_ID_TEST_DATABASE: 'postgres' })
    const name = `sessions-pool-${process.pid}-${Date.now()}`
    const store = await databaseSessionStore(`${database.url}&application_name=${name}`)
    try {
      await Promise.all(Array.from({ length: 40 }, (_, n) => store.find(`s${n}`)))
      const admin = openDatabase(database.url)
      const { rows } = await sql<{ n: number }>`
        select count(*)::int as n from pg_stat_activity where application_name = ${name}`.execute(
        admin,
      )
      await admin.destroy()
      expect(rows).toEqual([{ n: 5 }])
    } finally {
      await store.close()
    }
  })

  it('migrates behind a migration of another schema that holds the lock past its statement timeout', async () => {
    // Kysely's migration lock is one per PostgreSQL database: a provider migrating its own schema
    // holds it. The wait is not a stuck statement; the pool's timeout (5 s, lowered here through
    // the URL so the test is quick) must not cancel it.
    const postgres = { ...process.env, PASSKEY_ID_TEST_DATABASE: 'postgres' }
    const other = await newDatabase(postgres)
    const database = await newDatabase(postgres)
    const statementTimeoutMs = 200
    const name = `sessions-migrate-${process.pid}-${Date.now()}`
    const holder = openDatabase(other.url) as Kysely<unknown>
    let lock: HeldMigrationLock | undefined
    try {
      lock = await holdMigrationLock(holder)
      let settled = false
      const opening = databaseSessionStore(
        `${database.url}&statement_timeout=${statementTimeoutMs}&application_name=${name}`,
      ).finally(() => {
        settled = true
      })
      opening.catch(() => {})
      // The store is blocked on the lock, not still connecting on a loaded machine, and stays so
      // for several of its statement timeouts, none of which cancels it.
      await untilWaitingForMigrationLock(holder, name)
      await new Promise((done) => setTimeout(done, statementTimeoutMs * 3))
      expect(settled).toBe(false)
      await lock.release()
      const store = await opening
      try {
        const live = session('s1', 'ada')
        await store.create(live)
        expect(await store.find('s1')).toEqual(live)
      } finally {
        await store.close()
      }
    } finally {
      await lock?.release().catch(() => {})
      await holder.destroy()
    }
  })
})
