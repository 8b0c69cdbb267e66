import { existsSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type Kysely, sql } from 'kysely'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createTestDatabase, type TestDatabase } from '../test/createTestDatabase.ts'
import { databaseKind } from './databaseKind.ts'
import { openDatabase } from './openDatabase.ts'

interface Schema {
  accounts: { id: string }
  passkeys: { id: string; account_id: string; counter: number }
}

describe('openDatabase on SQLite', () => {
  let folder: string
  let db: Kysely<Schema>

  beforeEach(async () => {
    folder = await mkdtemp(join(tmpdir(), 'passkey-id-open-'))
    db = openDatabase<Schema>(`sqlite:${join(folder, 'nested', 'data', 'test.db')}`)
  })
  afterEach(async () => {
    await db.destroy()
    await rm(folder, { recursive: true, force: true })
  })

  async function pragma(name: string): Promise<unknown> {
    const { rows } = await sql<
      Record<string, unknown>
    >`select * from ${sql.raw(`pragma_${name}`)}`.execute(db)
    return Object.values(rows[0] ?? {})[0]
  }

  it('creates the file and its folder, in WAL mode with a busy timeout', async () => {
    expect(databaseKind(db)).toBe('sqlite')
    expect(await pragma('journal_mode')).toBe('wal')
    expect(existsSync(join(folder, 'nested', 'data', 'test.db'))).toBe(true)
    expect(await pragma('busy_timeout')).toBe(5000)
    expect(await pragma('synchronous')).toBe(1) // NORMAL
  })

  it('bounds the write-ahead log at 64 MiB, checkpointed on a timer rather than in commits', async () => {
    // Neither pragma has a table-valued form.
    const autocheckpoint = await sql`pragma wal_autocheckpoint`.execute(db)
    const sizeLimit = await sql`pragma journal_size_limit`.execute(db)
    expect(autocheckpoint.rows).toEqual([{ wal_autocheckpoint: 16_384 }])
    expect(sizeLimit.rows).toEqual([{ journal_size_limit: 64 * 1024 * 1024 }])
  })
})

describe.each(['sqlite', 'postgres'] as const)('openDatabase on %s', (kind) => {
  let database: TestDatabase
  let db: Kysely<Schema>

  beforeEach(async () => {
    database = await createTestDatabase(kind)
    db = openDatabase<Schema>(database.url)
    await db.schema
      .createTable('accounts')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .execute()
    await db.schema
      .createTable('passkeys')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('account_id', 'text', (c) => c.notNull().references('accounts.id'))
      .addColumn('counter', 'bigint', (c) => c.notNull())
      .execute()
  })
  afterEach(async () => {
    await db.destroy()
    await database.drop()
  })

  it('knows which database it talks to', () => {
    expect(databaseKind(db)).toBe(kind)
  })

  it('enforces foreign keys', async () => {
    await expect(
      db.insertInto('passkeys').values({ id: 'p', account_id: 'nobody', counter: 0 }).execute(),
    ).rejects.toThrow(/FOREIGN KEY constraint failed|violates foreign key constraint/)
  })

  it('reads bigint columns and count(*) as numbers', async () => {
    await db.insertInto('accounts').values({ id: 'a' }).execute()
    await db
      .insertInto('passkeys')
      .values([
        { id: 'p1', account_id: 'a', counter: 2 ** 32 - 1 },
        { id: 'p2', account_id: 'a', counter: 7 },
      ])
      .execute()
    const counters = await db.selectFrom('passkeys').select('counter').orderBy('id').execute()
    expect(counters).toEqual([{ counter: 2 ** 32 - 1 }, { counter: 7 }])
    const { count } = await db
      .selectFrom('passkeys')
      .select((eb) => eb.fn.countAll<number>().as('count'))
      .executeTakeFirstOrThrow()
    expect(count).toBe(2)
  })
})

describe('openDatabase on PostgreSQL', () => {
  let database: TestDatabase
  beforeEach(async () => {
    database = await createTestDatabase('postgres')
  })
  afterEach(async () => {
    await database.drop()
  })

  it('cancels a statement that runs past the statement timeout', async () => {
    const db = openDatabase(database.url, { statementTimeoutMs: 200 })
    try {
      // The pool's first connection is made first: the clock then measures the statement alone.
      await sql`select 1`.execute(db)
      const started = performance.now()
      await expect(sql`select pg_sleep(10)`.execute(db)).rejects.toMatchObject({ code: '57014' })
      // Cut by the timeout, far before the 10 s sleep's end (wide for a loaded machine).
      expect(performance.now() - started).toBeLessThan(5000)
      const { rows } = await sql<{
        name: string
      }>`select current_setting('application_name') as name`.execute(db)
      expect(rows).toEqual([{ name: 'passkey-id' }])
    } finally {
      await db.destroy()
    }
  })

  it('keeps a pool size, and survives an idle connection the server ends', async () => {
    const errors: Error[] = []
    const db = openDatabase(database.url, { poolSize: 2, onPoolError: (e) => errors.push(e) })
    const other = openDatabase(database.url)
    try {
      // Two connections at once, both in the pool afterwards and idle.
      const pids = await Promise.all(
        [0, 1].map(() =>
          db.connection().execute(async (connection) => {
            const { rows } = await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(
              connection,
            )
            await sql`select pg_sleep(0.05)`.execute(connection)
            return rows[0]?.pid
          }),
        ),
      )
      expect(new Set(pids).size).toBe(2)
      await sql`select pg_terminate_backend(pid) from pg_stat_activity where pid in (${sql.join(pids)})`.execute(
        other,
      )
      // At least one report per connection: a busy machine may also see each one's broken socket.
      await expect.poll(() => errors.length).toBeGreaterThanOrEqual(2)
      for (const error of errors) expect(error.message).toMatch(/terminat/)
      // The pool drops each ended connection as it hears of it, and then answers on new ones.
      const answer = () =>
        sql<{ one: number }>`select 1 as one`.execute(db).then(
          ({ rows }) => rows,
          () => 'refused',
        )
      await expect.poll(answer).toEqual([{ one: 1 }])
    } finally {
      await db.destroy()
      await other.destroy()
    }
  })
})
