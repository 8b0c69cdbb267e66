import { mkdtemp, rm } from 'node:fs/promises'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { isStoreUnavailable } from './isStoreUnavailable.ts'
import { loadNodeSqlite } from './loadNodeSqlite.ts'

/** The machine's PostgreSQL (trust auth), as every PostgreSQL test uses it. */
const POSTGRES = 'postgres://postgres@127.0.0.1:5432/test'

/** What `promise` was rejected with; fails the test when it resolves. */
async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => expect.fail('the call should have failed'),
    (error: unknown) => error,
  )
}

/** A localhost port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as { port: number }
  await new Promise((resolve) => server.close(resolve))
  return port
}

describe('isStoreUnavailable on SQLite (node:sqlite)', () => {
  let folder: string
  beforeAll(async () => {
    folder = await mkdtemp(join(tmpdir(), 'passkey-id-unavailable-'))
  })
  afterAll(async () => {
    await rm(folder, { recursive: true, force: true })
  })

  it('is true for a write that meets another connection’s write lock (SQLITE_BUSY)', () => {
    const { DatabaseSync } = loadNodeSqlite()
    const file = join(folder, 'busy.db')
    const writer = new DatabaseSync(file)
    const other = new DatabaseSync(file)
    try {
      writer.exec('pragma journal_mode = WAL; create table t (x integer)')
      other.exec('pragma busy_timeout = 0')
      writer.exec('begin immediate; insert into t values (1)')
      let busy: unknown
      try {
        other.exec('insert into t values (2)')
      } catch (error) {
        busy = error
      }
      expect(String(busy)).toContain('database is locked')
      expect(isStoreUnavailable(busy)).toBe(true)
      writer.exec('commit')
    } finally {
      writer.close()
      other.close()
    }
  })

  it('is false for a query or data that is wrong', () => {
    const { DatabaseSync } = loadNodeSqlite()
    const db = new DatabaseSync(join(folder, 'wrong.db'))
    try {
      db.exec('create table t (x integer primary key)')
      db.exec('insert into t values (1)')
      const failures = ['select * from nowhere', 'insert into t values (1)'].map((query) => {
        try {
          db.exec(query)
        } catch (error) {
          return error
        }
        return expect.fail(`${query} should have failed`)
      })
      expect(failures.map(String)).toEqual([
        expect.stringContaining('no such table'),
        expect.stringContaining('UNIQUE constraint failed'),
      ])
      for (const failure of failures) expect(isStoreUnavailable(failure)).toBe(false)
    } finally {
      db.close()
    }
  })
})

describe('isStoreUnavailable on PostgreSQL (pg)', () => {
  it('is true for a server that refuses the connection, also when wrapped in a cause', async () => {
    const client = new pg.Client(`postgres://postgres@127.0.0.1:${await closedPort()}/test`)
    const refused = await rejection(client.connect())
    expect((refused as { code?: string }).code).toBe('ECONNREFUSED')
    expect(isStoreUnavailable(refused)).toBe(true)
    expect(isStoreUnavailable(new Error('adapter failed', { cause: refused }))).toBe(true)
  })

  it('is true for a statement timeout (57014)', async () => {
    const client = new pg.Client({ connectionString: POSTGRES, statement_timeout: 20 })
    await client.connect()
    try {
      const timedOut = await rejection(client.query('select pg_sleep(1)'))
      expect((timedOut as { code?: string }).code).toBe('57014')
      expect(isStoreUnavailable(timedOut)).toBe(true)
    } finally {
      await client.end()
    }
  })

  it('is true for a connection the server terminates (57P01), and for using it afterwards', async () => {
    const victim = new pg.Client(POSTGRES)
    const admin = new pg.Client(POSTGRES)
    await Promise.all([victim.connect(), admin.connect()])
    const events: unknown[] = []
    victim.on('error', (error) => events.push(error))
    try {
      const pid = (await victim.query<{ pid: number }>('select pg_backend_pid() as pid')).rows[0]
        ?.pid
      const sleeping = rejection(victim.query('select pg_sleep(5)'))
      await new Promise((resolve) => setTimeout(resolve, 100))
      await admin.query('select pg_terminate_backend($1)', [pid])
      const terminated = await sleeping
      expect((terminated as { code?: string }).code).toBe('57P01')
      expect(isStoreUnavailable(terminated)).toBe(true)
      const afterwards = await rejection(victim.query('select 1'))
      expect(String(afterwards)).toMatch(/Connection terminated|not queryable/)
      expect(isStoreUnavailable(afterwards)).toBe(true)
      for (const event of events) expect(isStoreUnavailable(event)).toBe(true)
    } finally {
      await Promise.all([victim.end().catch(() => {}), admin.end()])
    }
  })

  it('is true for a pool that waited too long for a connection', async () => {
    const pool = new pg.Pool({ connectionString: POSTGRES, max: 1, connectionTimeoutMillis: 5000 })
    const held = await pool.connect()
    // Only the wait for the one connection, held above, is to time out: a 50 ms bound from the
    // start also failed the first connect now and then on a busy machine.
    pool.options.connectionTimeoutMillis = 50
    try {
      const waited = await rejection(pool.query('select 1'))
      expect(String(waited)).toContain('timeout exceeded when trying to connect')
      expect(isStoreUnavailable(waited)).toBe(true)
    } finally {
      held.release()
      await pool.end()
    }
  })

  it('is false for a query or data that is wrong, and for anything that is not an error', async () => {
    const client = new pg.Client(POSTGRES)
    await client.connect()
    try {
      const syntax = await rejection(client.query('select from where'))
      const missing = await rejection(client.query('select * from no_such_table_here'))
      const duplicate = await rejection(
        client.query('create temporary table t (x int primary key); insert into t values (1), (1)'),
      )
      expect(
        [syntax, missing, duplicate].map((error) => (error as { code?: string }).code),
      ).toEqual(['42601', '42P01', '23505'])
      for (const error of [syntax, missing, duplicate])
        expect(isStoreUnavailable(error)).toBe(false)
    } finally {
      await client.end()
    }
    expect(isStoreUnavailable('ECONNREFUSED')).toBe(false)
    expect(isStoreUnavailable({ code: 'ECONNREFUSED' })).toBe(false)
    expect(isStoreUnavailable(undefined)).toBe(false)
    expect(isStoreUnavailable(new Error('something else'))).toBe(false)
  })
})
