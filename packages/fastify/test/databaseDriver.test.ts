import { execFile } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

const PACKAGE = fileURLToPath(new URL('..', import.meta.url))
/** A fresh Node process loading TypeScript takes seconds on a busy machine. */
const CHILD_TIMEOUT = 60_000

/** What a fresh process that registers the plugin with `sessions` in `mode` has loaded. */
async function loadedWith(mode: 'off' | 'own-store' | 'database', databaseUrl: string) {
  const { stdout } = await promisify(execFile)(
    process.execPath,
    ['--import', 'tsx', join(PACKAGE, 'test/support/loadedModules.ts'), mode, databaseUrl],
    { cwd: PACKAGE },
  )
  return JSON.parse(stdout) as { status: number; database: string[]; drivers: string[] }
}

describe('the database behind the sessions is loaded only when they use it', () => {
  let dir: string
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'passkey-id-driver-'))
  })
  afterAll(() => rm(dir, { recursive: true, force: true }))

  it.each(['off', 'own-store'] as const)(
    'sessions %s: no database module nor SQLite driver is loaded',
    async (mode) => {
      const loaded = await loadedWith(mode, join(dir, `${mode}.db`))
      expect(loaded.status).toBe(401)
      expect(loaded.database).toEqual([])
      expect(loaded.drivers).toEqual([])
    },
    CHILD_TIMEOUT,
  )

  it(
    'sessions in the database: the store and a SQLite driver are loaded (the check sees them)',
    async () => {
      const loaded = await loadedWith('database', join(dir, 'sessions.db'))
      expect(loaded.status).toBe(401)
      expect(loaded.database).toEqual(
        expect.arrayContaining([
          expect.stringMatching(/\/packages\/store\/src\/index\.ts$/),
          expect.stringMatching(/\/node_modules\/kysely\//),
        ]),
      )
      expect(loaded.drivers.length).toBeGreaterThan(0)
    },
    CHILD_TIMEOUT,
  )
})
