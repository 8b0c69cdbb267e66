import { type Kysely, sql } from 'kysely'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createTestDatabase, type TestDatabase } from '../test/createTestDatabase.ts'
import { openDatabase } from './openDatabase.ts'
import { withStartupLock } from './withStartupLock.ts'

const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms))

/**
 * Taking a free lock on a warm pool: far below the 120 s a start waits behind a held lock, which is
 * what these bounds tell apart, and wide enough for a loaded machine.
 */
const UNLOCKED_MS = 10_000

async function setting(db: Kysely<unknown>, name: string): Promise<string | undefined> {
  const { rows } = await sql<{ value: string }>`select current_setting(${name}) as value`.execute(
    db,
  )
  return rows[0]?.value
}

describe('withStartupLock on PostgreSQL', () => {
  let databases: TestDatabase[]
  let pools: Kysely<unknown>[]

  beforeEach(() => {
    databases = []
    pools = []
  })
  afterEach(async () => {
    await Promise.all(pools.map((pool) => pool.destroy()))
    await Promise.all(databases.map((database) => database.drop()))
  })

  /** A new schema, and `count` pools on it, each standing for one instance. */
  async function instances(
    count: number,
    options: { poolSize?: number; statementTimeoutMs?: number } = {},
  ) {
    const database = await createTestDatabase('postgres')
    databases.push(database)
    const opened = Array.from({ length: count }, () => openDatabase(database.url, options))
    pools.push(...opened)
    return opened
  }

  it('lets one instance at a time in, on one schema', async () => {
    const log: string[] = []
    await Promise.all(
      (await instances(4)).map((db, n) =>
        withStartupLock(db, async () => {
          log.push(`in ${n}`)
          await sleep(50)
          log.push(`out ${n}`)
        }),
      ),
    )
    expect(log).toHaveLength(8)
    for (let i = 0; i < 8; i += 2) {
      expect(log[i + 1]).toBe(log[i]?.replace('in', 'out'))
    }
  })

  it('does not keep instances on other schemas waiting', async () => {
    const [first] = await instances(1)
    const [second] = await instances(1)
    if (first === undefined || second === undefined) throw new Error('two instances')
    let release = () => {}
    let entered = () => {}
    const inside = new Promise<void>((done) => (entered = done))
    const held = withStartupLock(
      first,
      () =>
        new Promise<void>((done) => {
          release = done
          entered()
        }),
    )
    // The first instance holds its lock, and the second's pool has its connection: the clock
    // then measures the wait for the lock alone, not a first connect on a loaded machine.
    await inside
    await sql`select 1`.execute(second)
    const started = performance.now()
    await withStartupLock(second, async () => {})
    expect(performance.now() - started).toBeLessThan(UNLOCKED_MS)
    release()
    await held
  })

  it('works on one connection with no statement timeout, so a pool of one and slow work both pass', async () => {
    const [db] = await instances(1, { poolSize: 1, statementTimeoutMs: 100 })
    if (db === undefined) throw new Error('one instance')
    await expect(sql`select pg_sleep(0.3)`.execute(db)).rejects.toMatchObject({ code: '57014' })
    const inside = await withStartupLock(db, async (locked) => {
      await sql`select pg_sleep(0.3)`.execute(locked)
      return setting(locked, 'statement_timeout')
    })
    expect(inside).toBe('0')
    // The connection went back to the pool with the pool's timeout again.
    expect(await setting(db, 'statement_timeout')).toBe('100ms')
    expect(await setting(db, 'lock_timeout')).toBe('0')
  })

  it('frees the lock when the work fails', async () => {
    const [db, other] = await instances(2)
    if (db === undefined || other === undefined) throw new Error('two instances')
    await expect(
      withStartupLock(db, async () => {
        throw new Error('migration failed')
      }),
    ).rejects.toThrow('migration failed')
    await sql`select 1`.execute(other)
    const started = performance.now()
    await expect(withStartupLock(other, async () => 'in')).resolves.toBe('in')
    expect(performance.now() - started).toBeLessThan(UNLOCKED_MS)
  })
})

describe('withStartupLock on SQLite', () => {
  it('runs the work on the database itself: SQLite has one instance', async () => {
    const database = await createTestDatabase('sqlite')
    const db = openDatabase(database.url)
    try {
      await expect(withStartupLock(db, async (locked) => locked === db)).resolves.toBe(true)
    } finally {
      await db.destroy()
      await database.drop()
    }
  })
})
