import { spawnSync } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'

/** Runs `code` as an ES module in a new Node process (the one running the tests), with tsx. */
function runNode(code: string): { status: number | null; stdout: string; stderr: string } {
  const { NODE_OPTIONS: _, ...env } = process.env
  const child = spawnSync(
    process.execPath,
    ['--import', 'tsx', '--input-type=module', '-e', code],
    {
      cwd: import.meta.dirname,
      env,
      encoding: 'utf8',
    },
  )
  return { status: child.status, stdout: child.stdout, stderr: child.stderr }
}

describe('loadNodeSqlite', () => {
  let folder: string
  beforeEach(async () => {
    folder = await mkdtemp(join(tmpdir(), 'passkey-id-warning-'))
  })
  afterEach(async () => {
    await rm(folder, { recursive: true, force: true })
  })

  const openDatabase = new URL('./openDatabase.ts', import.meta.url).href
  const loadNodeSqlite = new URL('./loadNodeSqlite.ts', import.meta.url).href

  it('lets a process open and use a database without printing anything', () => {
    const filename = JSON.stringify(join(folder, 'quiet.db'))
    const child = runNode(`
      const { openDatabase } = await import(${JSON.stringify(openDatabase)})
      const { sql } = await import('kysely')
      const db = openDatabase(${filename})
      const { rows } = await sql\`select sqlite_version() as version\`.execute(db)
      await db.destroy()
      console.log(rows.length)
    `)
    expect(child).toEqual({ status: 0, stdout: '1\n', stderr: '' })
  })

  it('keeps back only SQLite’s warning: other warnings, even during the load, still print', () => {
    const child = runNode(`
      const { loadNodeSqlite } = await import(${JSON.stringify(loadNodeSqlite)})
      const getBuiltinModule = process.getBuiltinModule
      process.getBuiltinModule = (id) => {
        process.emitWarning('loading ' + id, 'ExperimentalWarning')
        return getBuiltinModule(id)
      }
      const { DatabaseSync } = loadNodeSqlite()
      new DatabaseSync(':memory:').close()
      process.emitWarning('after the load', { type: 'ExperimentalWarning' })
    `)
    expect(child.status).toBe(0)
    expect(child.stderr).toContain('ExperimentalWarning: loading node:sqlite')
    expect(child.stderr).toContain('ExperimentalWarning: after the load')
    expect(child.stderr).not.toContain('SQLite')
  })

  it('is needed on Node 22 only: a plain load warns there, and not on Node 24 and later', () => {
    const child = runNode(`process.getBuiltinModule('node:sqlite')`)
    const major = Number(process.versions.node.split('.')[0])
    expect(child.status).toBe(0)
    expect(child.stderr.includes('SQLite is an experimental feature')).toBe(major < 24)
  })
})
