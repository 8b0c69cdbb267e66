import { existsSync } from 'node:fs'
import { writeFile } from 'node:fs/promises'
import { basename, dirname } from 'node:path'
import pg from 'pg'
import { describe, expect, it } from 'vitest'
import { freePort } from '../http/freePort.ts'
import { testDatabaseUrl } from './testDatabaseUrl.ts'
import { testPostgresUrl } from './testPostgresUrl.ts'

const ON_POSTGRES = { PASSKEY_ID_TEST_DATABASE: 'postgres' }

/** Runs `query` on a connection to `url`, as the code under test would connect to it. */
async function queryAt(url: string, query: string): Promise<Record<string, unknown>[]> {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  try {
    return (await client.query(query)).rows
  } finally {
    await client.end()
  }
}

describe('testDatabaseUrl', () => {
  it('gives a SQLite file in a new folder of its own unless the suite runs on PostgreSQL', async () => {
    const first = await testDatabaseUrl('demo', {})
    const second = await testDatabaseUrl('demo', {})
    expect(basename(first.url)).toBe('demo.db')
    expect(dirname(first.url)).not.toBe(dirname(second.url))
    await writeFile(first.url, '')
    await first.drop()
    expect(existsSync(dirname(first.url))).toBe(false)
    await second.drop()
  })

  it('gives a schema of its own on PostgreSQL, which every connection to its URL uses, and drops it', async () => {
    const database = await testDatabaseUrl('provider', ON_POSTGRES)
    const schema = /search_path%3D(t_\d+_\d+_[0-9a-f]+)$/.exec(database.url)?.[1]
    expect(database.url.startsWith(`${testPostgresUrl()}?options=-c%20search_path%3Dt_`)).toBe(true)
    await queryAt(database.url, 'create table things (id int)')
    expect(await queryAt(database.url, 'select current_schema() as schema')).toEqual([{ schema }])
    const tables = `select table_name from information_schema.tables where table_schema = '${schema}'`
    expect(await queryAt(testPostgresUrl(), tables)).toEqual([{ table_name: 'things' }])

    await database.drop()
    await database.drop()
    const left = `select count(*)::int as n from pg_namespace where nspname = '${schema}'`
    expect(await queryAt(testPostgresUrl(), left)).toEqual([{ n: 0 }])
  })

  it('fails with one line saying how to start PostgreSQL when nothing answers', async () => {
    const closed = `postgres://postgres@127.0.0.1:${await freePort()}/test`
    const failure = testDatabaseUrl('provider', {
      ...ON_POSTGRES,
      PASSKEY_ID_TEST_POSTGRES_URL: closed,
    })
    await expect(failure).rejects.toThrow(
      `cannot use PostgreSQL at ${closed} (connect ECONNREFUSED 127.0.0.1:`,
    )
    await expect(failure).rejects.toThrow(
      /: start it with `pg_ctlcluster --skip-systemctl-redirect 15 main start`/,
    )
    await expect(failure).rejects.not.toThrow(/\n/)
  })

  it('names the command that creates a missing database, without the password', async () => {
    const missing = testPostgresUrl().replace(/\/[^/?]*$/, '/no_such_test_db')
    const withPassword = new URL(missing)
    withPassword.password = 'hunter2'
    const failure = testDatabaseUrl('provider', {
      ...ON_POSTGRES,
      PASSKEY_ID_TEST_POSTGRES_URL: withPassword.href,
    })
    await expect(failure).rejects.toThrow(
      /database "no_such_test_db" does not exist\): create the database: createdb -h \S+ -U \S+ no_such_test_db$/,
    )
    await expect(failure).rejects.not.toThrow(/hunter2/)
  })
})
