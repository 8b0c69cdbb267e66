import {
  type HeldMigrationLock,
  holdMigrationLock,
  untilWaitingForMigrationLock,
} from '@passkey-id/testing/database'
import { type Kysely, type Migration, sql } from 'kysely'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createTestDatabase, type TestDatabase } from '../test/createTestDatabase.ts'
import { migrateToLatest } from './migrateToLatest.ts'
import { openDatabase } from './openDatabase.ts'
import { SchemaTooNewError } from './SchemaTooNewError.ts'

const create: Migration = {
  up: (db) => db.schema.createTable('things').addColumn('id', 'text').execute(),
}
const add: Migration = {
  up: (db) => db.schema.alterTable('things').addColumn('name', 'text').execute(),
}

/** The columns of `things`, in order, as either database lists them. */
async function columns(db: Kysely<unknown>, kind: TestDatabase['kind']): Promise<string[]> {
  const { rows } =
    kind === 'sqlite'
      ? await sql<{ name: string }>`select name from pragma_table_info('things')`.execute(db)
      : await sql<{ name: string }>`select column_name as name from information_schema.columns
          where table_schema = current_schema() and table_name = 'things' order by ordinal_position`.execute(
          db,
        )
  return rows.map((row) => row.name)
}

describe.each(['sqlite', 'postgres'] as const)('migrateToLatest on %s', (kind) => {
  let database: TestDatabase
  let db: Kysely<unknown>

  beforeEach(async () => {
    database = await createTestDatabase(kind)
    db = openDatabase(database.url)
  })
  afterEach(async () => {
    await db.destroy()
    await database.drop()
  })

  it('applies each migration once, in name order, and says which it applied', async () => {
    expect(await migrateToLatest(db, { '0001_create': create }, 'history')).toEqual(['0001_create'])
    expect(
      await migrateToLatest(db, { '0002_add': add, '0001_create': create }, 'history'),
    ).toEqual(['0002_add'])
    expect(
      await migrateToLatest(db, { '0001_create': create, '0002_add': add }, 'history'),
    ).toEqual([])
    expect(await columns(db, kind)).toEqual(['id', 'name'])
  })

  it('rolls a failing migration back whole, so the next start can apply it', async () => {
    await migrateToLatest(db, { '0001_create': create }, 'history')
    let fail = true
    const halfway: Migration = {
      async up(db) {
        await db.schema.alterTable('things').addColumn('name', 'text').execute()
        if (fail) throw new Error('the process died here')
        await db.schema.alterTable('things').addColumn('size', 'integer').execute()
      },
    }
    await expect(
      migrateToLatest(db, { '0001_create': create, '0002_halfway': halfway }, 'history'),
    ).rejects.toThrow('database migration 0002_halfway failed: the process died here')
    expect(await columns(db, kind)).toEqual(['id'])

    fail = false
    await migrateToLatest(db, { '0001_create': create, '0002_halfway': halfway }, 'history')
    expect(await columns(db, kind)).toEqual(['id', 'name', 'size'])
  })

  it('refuses a database a newer version migrated, in one line, changing nothing', async () => {
    const future: Migration = {
      up: (db) => db.schema.alterTable('things').addColumn('future', 'text').execute(),
    }
    await migrateToLatest(db, { '0001_create': create, '0003_future': future }, 'history')
    const older = { '0001_create': create, '0002_add': add }
    const refusal = migrateToLatest(db, older, 'history')
    await expect(refusal).rejects.toBeInstanceOf(SchemaTooNewError)
    await expect(refusal).rejects.toThrow(
      /^the database was upgraded by a newer version of passkey-id \(migration 0003_future; this version knows up to 0002_add\): run that version or a newer one; nothing was changed$/,
    )
    expect(await columns(db, kind)).toEqual(['id', 'future'])
  })
})

describe('migrateToLatest on two PostgreSQL schemas of one database', () => {
  it('keeps a history per schema, so each migrates on its own', async () => {
    const databases = [await createTestDatabase('postgres'), await createTestDatabase('postgres')]
    const [first, second] = databases.map((database) => openDatabase(database.url))
    try {
      if (first === undefined || second === undefined) throw new Error('two databases')
      expect(await migrateToLatest(first, { '0001_create': create }, 'history')).toEqual([
        '0001_create',
      ])
      expect(
        await migrateToLatest(second, { '0001_create': create, '0002_add': add }, 'history'),
      ).toEqual(['0001_create', '0002_add'])
      expect(await columns(first, 'postgres')).toEqual(['id'])
      expect(await columns(second, 'postgres')).toEqual(['id', 'name'])
    } finally {
      await Promise.all([first?.destroy(), second?.destroy()])
      await Promise.all(databases.map((database) => database.drop()))
    }
  })
})

describe('migrateToLatest behind another schema’s migration on PostgreSQL', () => {
  /** The pool's statement timeout here: lowered from 5 s so that a wait past it is quick to show. */
  const STATEMENT_TIMEOUT_MS = 200

  it('waits for Kysely’s lock (one per database) past the statement timeout, which it then restores', async () => {
    const databases = [await createTestDatabase('postgres'), await createTestDatabase('postgres')]
    const [holderUrl, waiterUrl] = databases.map((database) => database.url)
    if (holderUrl === undefined || waiterUrl === undefined) throw new Error('two databases')
    const holder = openDatabase(holderUrl)
    const name = `migrate-waiter-${process.pid}-${Date.now()}`
    const waiter = openDatabase(`${waiterUrl}&application_name=${name}`, {
      poolSize: 1,
      statementTimeoutMs: STATEMENT_TIMEOUT_MS,
    })
    let lock: HeldMigrationLock | undefined
    try {
      lock = await holdMigrationLock(holder)
      let settled = false
      const waiting = migrateToLatest(waiter, { '0001_create': create }, 'history').finally(() => {
        settled = true
      })
      waiting.catch(() => {})
      // The waiter is blocked on the advisory lock, not still connecting on a loaded machine, and
      // stays so for several statement timeouts, none of which cancels it.
      await untilWaitingForMigrationLock(holder, name)
      await new Promise((done) => setTimeout(done, STATEMENT_TIMEOUT_MS * 3))
      expect(settled).toBe(false)
      await lock.release()
      await expect(waiting).resolves.toEqual(['0001_create'])
      expect(await columns(waiter, 'postgres')).toEqual(['id'])
      // The pool's one connection has its statement timeout back.
      const { rows } = await sql<{
        value: string
      }>`select current_setting('statement_timeout') as value`.execute(waiter)
      expect(rows).toEqual([{ value: `${STATEMENT_TIMEOUT_MS}ms` }])
    } finally {
      await lock?.release().catch(() => {})
      await Promise.all([holder.destroy(), waiter.destroy()])
      await Promise.all(databases.map((database) => database.drop()))
    }
  })
})
