import { randomBytes } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { hostname, tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Client } from 'pg'
import { connectTestPostgres } from './connectTestPostgres.ts'
import { testPostgresUrl } from './testPostgresUrl.ts'

/** A database of a test's own: the `DATABASE_URL` to give the code under test, and its removal. */
export interface TestDatabase {
  /** A SQLite file path, or a `postgres://` URL whose connections use the test's own schema. */
  url: string
  /** Deletes the database and everything in it; a second call does nothing. */
  drop(): Promise<void>
}

/** What a test schema's comment records, so a later run can tell a leftover from a live one. */
export interface TestSchemaOrigin {
  host: string
  pid: number
  createdAt: number
}

let schemasMade = 0

/**
 * A new, empty database for one test fixture, of the kind the suite runs on: with
 * `PASSKEY_ID_TEST_DATABASE=postgres` a schema of its own in the tests' PostgreSQL database (a
 * schema takes about 8 ms to make, a database 0.8 s), otherwise a SQLite file named `name` in a new
 * temporary folder. The same tests thereby run on both databases.
 */
export async function testDatabaseUrl(
  name = 'provider',
  env: NodeJS.ProcessEnv = process.env,
): Promise<TestDatabase> {
  return env.PASSKEY_ID_TEST_DATABASE === 'postgres'
    ? await postgresSchema(testPostgresUrl(env))
    : await sqliteFile(name)
}

async function sqliteFile(name: string): Promise<TestDatabase> {
  const dir = await mkdtemp(join(tmpdir(), 'passkey-id-test-'))
  return { url: join(dir, `${name}.db`), drop: () => rm(dir, { recursive: true, force: true }) }
}

async function postgresSchema(base: string): Promise<TestDatabase> {
  schemasMade += 1
  const schema = `t_${process.pid}_${schemasMade}_${randomBytes(4).toString('hex')}`
  const origin: TestSchemaOrigin = { host: hostname(), pid: process.pid, createdAt: Date.now() }
  await onServer(base, async (client) => {
    await client.query(`create schema ${schema}`)
    await client.query(
      `comment on schema ${schema} is ${client.escapeLiteral(JSON.stringify(origin))}`,
    )
  })
  let dropped: Promise<void> | undefined
  return {
    url: withSearchPath(base, schema),
    drop() {
      dropped ??= onServer(base, async (client) => {
        await client.query(`drop schema if exists ${schema} cascade`)
      })
      return dropped
    },
  }
}

/** `base` with every connection's search_path set to `schema`, as libpq's `options` parameter. */
function withSearchPath(base: string, schema: string): string {
  const options = `options=${encodeURIComponent(`-c search_path=${schema}`)}`
  return `${base}${base.includes('?') ? '&' : '?'}${options}`
}

async function onServer(url: string, work: (client: Client) => Promise<void>) {
  const client = await connectTestPostgres(url)
  try {
    await work(client)
  } finally {
    await client.end()
  }
}
