import { execFile } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { openDatabase } from '@passkey-id/store'
import { type TestDatabase, testDatabaseUrl } from '@passkey-id/testing/database'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { providerMigrations } from '../src/store/migrations/index.ts'
import type { ProviderDatabase } from '../src/store/schema.ts'

/** Every migration this version has, in the order they apply. */
const MIGRATIONS = Object.keys(providerMigrations).sort()

const cli = fileURLToPath(new URL('../src/cli.ts', import.meta.url))

/**
 * How the child's Node runs the CLI's TypeScript, as `spawnProviderCli` (@passkey-id/testing)
 * does: Node strips the types itself where it can (22.18 and later), else tsx's loader. This file
 * keeps a helper of its own since it checks stdout and stderr apart, which that helper merges.
 */
const EXEC_ARGV = process.features.typescript ? [] : ['--import', 'tsx']

/** One command's run is killed past a minute (as `runProviderCommand` does). */
const COMMAND_MS = 60_000
/** A test runs up to three cold CLI processes one after another, on a machine under load. */
const TEST_MS = 120_000

/** `npm run provider -- ...args` on `databaseUrl`, to its end: exit code and output. */
async function provider(args: string[], databaseUrl: string) {
  const { PASSKEY_ID_SERVER_ENV: _, ...inherited } = process.env
  try {
    const { stdout, stderr } = await promisify(execFile)(
      process.execPath,
      [...EXEC_ARGV, cli, ...args],
      {
        env: { ...inherited, DATABASE_URL: databaseUrl, PORT: '0', LOG_LEVEL: 'warn' },
        timeout: COMMAND_MS,
      },
    )
    return { code: 0, stdout, stderr }
  } catch (error) {
    const { code, stdout, stderr } = error as { code: number; stdout: string; stderr: string }
    return { code, stdout, stderr }
  }
}

describe('npm run provider -- migrate', () => {
  let database: TestDatabase
  beforeEach(async () => {
    database = await testDatabaseUrl()
  })
  afterEach(async () => {
    await database.drop()
  })

  it('applies the migrations alone, then says the schema is current', {
    timeout: TEST_MS,
  }, async () => {
    expect(await provider(['migrate'], database.url)).toEqual({
      code: 0,
      stdout: `applied ${MIGRATIONS.join(', ')}\n`,
      stderr: '',
    })
    expect(await provider(['migrate'], database.url)).toEqual({
      code: 0,
      stdout: 'the database schema is current: nothing to apply\n',
      stderr: '',
    })
    const db = openDatabase<ProviderDatabase>(database.url)
    try {
      // Migrations only: the first start makes the keys.
      expect(await db.selectFrom('signing_keys').select('kid').execute()).toEqual([])
    } finally {
      await db.destroy()
    }
  })

  it('prints its usage for --help and refuses other arguments, migrating nothing', {
    timeout: TEST_MS,
  }, async () => {
    const help = await provider(['migrate', '--help'], database.url)
    expect(help).toMatchObject({ code: 0, stderr: '' })
    expect(help.stdout).toMatch(/^usage: passkey-id-provider migrate\n/)
    const extra = await provider(['migrate', 'now'], database.url)
    expect(extra).toEqual({ ...help, code: 2 })
    // Still nothing applied: the real migrate applies every migration.
    expect((await provider(['migrate'], database.url)).stdout).toBe(
      `applied ${MIGRATIONS.join(', ')}\n`,
    )
  })

  // One process per command (each start costs a second or more); asksForHelp's own test covers
  // the spellings (-h, help).
  it('gives every command its usage for --help, with exit 0', { timeout: TEST_MS }, async () => {
    const commands = ['keys', 'secrets', 'db', 'accounts']
    const answers = await Promise.all(
      commands.map((command) => provider([command, '--help'], database.url)),
    )
    for (const [index, command] of commands.entries()) {
      expect(answers[index]?.code, command).toBe(0)
      expect(answers[index]?.stdout, command).toMatch(
        new RegExp(`^usage: passkey-id-provider ${command} `),
      )
    }
  })

  it('refuses a schema a newer version migrated, in one line, and so does a start', {
    timeout: TEST_MS,
  }, async () => {
    expect((await provider(['migrate'], database.url)).code).toBe(0)
    const db = openDatabase<
      ProviderDatabase & { provider_migrations: { name: string; timestamp: string } }
    >(database.url)
    try {
      await db
        .insertInto('provider_migrations')
        .values({ name: '0099_future', timestamp: new Date().toISOString() })
        .execute()
      const line = `passkey-id provider: the database was upgraded by a newer version of passkey-id (migration 0099_future; this version knows up to ${MIGRATIONS.at(-1)}): run that version or a newer one; nothing was changed\n`
      expect(await provider(['migrate'], database.url)).toEqual({
        code: 1,
        stdout: '',
        stderr: line,
      })
      expect(await provider([], database.url)).toEqual({ code: 1, stdout: '', stderr: line })
      expect(await db.selectFrom('signing_keys').select('kid').execute()).toEqual([])
    } finally {
      await db.destroy()
    }
  })
})

describe('a start on a DATABASE_URL that cannot be reached', () => {
  it('stops with one line naming the URL, without its password', { timeout: TEST_MS }, async () => {
    const url = 'postgres://postgres:hunter2@127.0.0.1:5432/no_such_database'
    expect(await provider([], url)).toEqual({
      code: 1,
      stdout: '',
      stderr:
        'passkey-id provider: DATABASE_URL postgres://postgres:***@127.0.0.1:5432/no_such_database: cannot connect: database "no_such_database" does not exist (3D000)\n',
    })
  })
})
