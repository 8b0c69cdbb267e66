/**
 * Statements per second through Kysely, for each SQLite driver, on the provider's typical queries:
 * a select by primary key, an insert (the protocol adapter's upsert of a new record), an update by
 * primary key, a small transaction (read a passkey, update its counter and its account), and the
 * mix of one of each. Printed per second by the clock and per second of the process's CPU time.
 *
 * Drivers, alternated A B A B in one process so that a noisy machine hurts each alike:
 * - better-sqlite3 with Kysely's own SqliteDialect as it was (a statement prepared on every query),
 * - better-sqlite3 with the store's statement cache,
 * - node:sqlite through the store's adapter, with and without the statement cache (the store uses it
 *   with the cache).
 *
 * Usage: node --import tsx bench/sqlite-driver/throughput.ts [path to a better-sqlite3 folder]
 * The better-sqlite3 folder must load on the running Node (13.1 and later ship Node-API binaries that
 * load on Node 22, 24 and 26); without it, only node:sqlite runs. Results: ./results.md.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Kysely, type SqliteDatabase, SqliteDialect } from 'kysely'
import { cacheStatements } from '../../packages/store/src/cacheStatements.ts'
import { loadNodeSqlite } from '../../packages/store/src/loadNodeSqlite.ts'
import { nodeSqliteDatabase } from '../../packages/store/src/nodeSqliteDatabase.ts'

interface Schema {
  oidc_records: {
    model: string
    id: string
    payload: string
    grant_id: string | null
    expires_at: string | null
    consumed_at: string | null
  }
  accounts: { id: string; username: string; updated_at: string }
  passkeys: { id: string; account_id: string; counter: number; last_used_at: string | null }
}

/** Opens a SQLite file with the store's pragmas, through one driver. */
type Opener = (filename: string) => SqliteDatabase

const PRAGMAS = [
  'journal_mode = WAL',
  'synchronous = NORMAL',
  'foreign_keys = ON',
  'busy_timeout = 5000',
]
const CACHE = 200
const ROWS = 10_000
const ROUNDS = Number(process.env.ROUNDS ?? 10)
const SECONDS = Number(process.env.SECONDS_PER_RUN ?? 0.3)

const drivers: Record<string, Opener> = {}
const betterSqlite3Folder = process.argv[2]
if (betterSqlite3Folder !== undefined) {
  const BetterSqlite3 = createRequire(import.meta.url)(betterSqlite3Folder) as new (
    filename: string,
  ) => SqliteDatabase & { pragma(source: string): unknown }
  const open = (filename: string) => {
    const database = new BetterSqlite3(filename)
    for (const pragma of PRAGMAS) database.pragma(pragma)
    return database
  }
  const version = (
    createRequire(import.meta.url)(`${betterSqlite3Folder}/package.json`) as {
      version: string
    }
  ).version
  drivers[`better-sqlite3 ${version}, prepare per query`] = open
  drivers[`better-sqlite3 ${version}, cached statements`] = (f) => cacheStatements(open(f), CACHE)
}
const { DatabaseSync } = loadNodeSqlite()
const openNodeSqlite = (filename: string) => {
  const database = new DatabaseSync(filename)
  for (const pragma of PRAGMAS) database.exec(`pragma ${pragma}`)
  return nodeSqliteDatabase(database)
}
drivers['node:sqlite, prepare per query'] = openNodeSqlite
drivers['node:sqlite, cached statements (the store)'] = (f) =>
  cacheStatements(openNodeSqlite(f), CACHE)

const payload = JSON.stringify({
  accountId: 'a'.repeat(22),
  loginTs: 1_700_000_000,
  kind: 'Session',
  jti: 'j'.repeat(43),
  authorizations: { 'http://localhost:8000': { sid: 's'.repeat(21), grantId: 'g'.repeat(43) } },
  exp: 1_800_000_000,
  iat: 1_700_000_000,
  uid: 'u'.repeat(21),
})
let sequence = 0
const now = () => new Date().toISOString()
const recordId = (n: number) => `record-${n % ROWS}`

/** One unit of work, and how many statements it runs. */
interface Query {
  statements: number
  run(db: Kysely<Schema>): Promise<unknown>
}

/** The queries; the transaction counts as its three statements. */
const queries: Record<string, Query> = {
  'select by primary key': {
    statements: 1,
    run: (db) =>
      db
        .selectFrom('oidc_records')
        .selectAll()
        .where('model', '=', 'Session')
        .where('id', '=', recordId(sequence++))
        .executeTakeFirst(),
  },
  'insert (upsert of a new record)': {
    statements: 1,
    run: (db) => {
      const columns = { payload, grant_id: null, expires_at: now() }
      return db
        .insertInto('oidc_records')
        .values({ model: 'Interaction', id: `new-${sequence++}`, consumed_at: null, ...columns })
        .onConflict((conflict) => conflict.columns(['model', 'id']).doUpdateSet(columns))
        .execute()
    },
  },
  'update by primary key': {
    statements: 1,
    run: (db) =>
      db
        .updateTable('oidc_records')
        .set({ consumed_at: now() })
        .where('model', '=', 'Session')
        .where('id', '=', recordId(sequence++))
        .executeTakeFirst(),
  },
  'transaction (select + 2 updates)': {
    statements: 3,
    run: (db) =>
      db.transaction().execute(async (trx) => {
        const passkey = await trx
          .selectFrom('passkeys')
          .select(['account_id', 'counter'])
          .where('id', '=', `passkey-${sequence++ % ROWS}`)
          .executeTakeFirstOrThrow()
        await trx
          .updateTable('passkeys')
          .set({ counter: passkey.counter + 1, last_used_at: now() })
          .where('id', '=', `passkey-${sequence % ROWS}`)
          .execute()
        await trx
          .updateTable('accounts')
          .set({ updated_at: now() })
          .where('id', '=', passkey.account_id)
          .execute()
      }),
  },
}

const single = Object.values(queries)
queries['mix: one of each of the above'] = {
  statements: single.reduce((sum, query) => sum + query.statements, 0),
  run: async (db) => {
    for (const query of single) await query.run(db)
  },
}

async function prepare(db: Kysely<Schema>): Promise<void> {
  await db.schema
    .createTable('oidc_records')
    .addColumn('model', 'text', (c) => c.notNull())
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('payload', 'text', (c) => c.notNull())
    .addColumn('grant_id', 'text')
    .addColumn('expires_at', 'text')
    .addColumn('consumed_at', 'text')
    .addPrimaryKeyConstraint('oidc_records_pk', ['model', 'id'])
    .execute()
  await db.schema
    .createTable('accounts')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('username', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute()
  await db.schema
    .createTable('passkeys')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('account_id', 'text', (c) => c.notNull().references('accounts.id'))
    .addColumn('counter', 'bigint', (c) => c.notNull())
    .addColumn('last_used_at', 'text')
    .execute()
  await db.transaction().execute(async (trx) => {
    for (let n = 0; n < ROWS; n++) {
      await trx
        .insertInto('oidc_records')
        .values({
          model: 'Session',
          id: recordId(n),
          payload,
          grant_id: null,
          expires_at: now(),
          consumed_at: null,
        })
        .execute()
      await trx
        .insertInto('accounts')
        .values({ id: `account-${n}`, username: `user${n}`, updated_at: now() })
        .execute()
      await trx
        .insertInto('passkeys')
        .values({ id: `passkey-${n}`, account_id: `account-${n}`, counter: 0, last_used_at: null })
        .execute()
    }
  })
}

/**
 * Statements per second of `query` on `db` over about `SECONDS` seconds, by the clock and per second
 * of this process's CPU time (user + system): on a shared machine the second is the steadier figure.
 */
async function measure(db: Kysely<Schema>, query: Query): Promise<{ wall: number; cpu: number }> {
  for (let n = 0; n < 100; n++) await query.run(db)
  let count = 0
  const cpuStart = process.cpuUsage()
  const start = process.hrtime.bigint()
  const end = start + BigInt(Math.round(SECONDS * 1e9))
  let now = start
  do {
    for (let n = 0; n < 50; n++) await query.run(db)
    count += 50
    now = process.hrtime.bigint()
  } while (now < end)
  const cpu = process.cpuUsage(cpuStart)
  const statements = count * query.statements
  return {
    wall: statements / (Number(now - start) / 1e9),
    cpu: statements / ((cpu.user + cpu.system) / 1e6),
  }
}

const folder = mkdtempSync(join(tmpdir(), 'sqlite-driver-bench-'))
const databases = new Map<string, Kysely<Schema>>()
for (const [name, open] of Object.entries(drivers)) {
  const filename = join(folder, `${databases.size}.db`)
  const db = new Kysely<Schema>({
    dialect: new SqliteDialect({ database: async () => open(filename) }),
  })
  await prepare(db)
  databases.set(name, db)
}

const samples = new Map<string, { wall: number[]; cpu: number[] }>()
for (let round = 0; round < ROUNDS; round++) {
  for (const [queryName, query] of Object.entries(queries)) {
    for (const [driverName, db] of databases) {
      const key = `${queryName}\t${driverName}`
      const sample = samples.get(key) ?? { wall: [], cpu: [] }
      const { wall, cpu } = await measure(db, query)
      sample.wall.push(wall)
      sample.cpu.push(cpu)
      samples.set(key, sample)
    }
  }
}
for (const db of databases.values()) await db.destroy()
rmSync(folder, { recursive: true, force: true })

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b)
  return Math.round(sorted[Math.floor(sorted.length / 2)] ?? Number.NaN)
}
console.log(`Node ${process.version}, ${ROUNDS} rounds of ${SECONDS} s per query and driver`)
console.log('query\tdriver\tstatements/s (median)\tlowest\tstatements per CPU-second (median)')
for (const [key, { wall, cpu }] of samples) {
  console.log(`${key}\t${median(wall)}\t${Math.round(Math.min(...wall))}\t${median(cpu)}`)
}
