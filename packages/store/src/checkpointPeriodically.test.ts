import { existsSync, statSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { DatabaseSync } from 'node:sqlite'
import { setTimeout as sleep } from 'node:timers/promises'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { checkpointPeriodically } from './checkpointPeriodically.ts'
import { loadNodeSqlite } from './loadNodeSqlite.ts'

const INTERVAL_MS = 20
/** Long enough for the thread to start and tick several times: to see that nothing happens. */
const SEVERAL_TICKS_MS = 1000
/** The longest the thread may take to start and copy the log, on a loaded machine. */
const CHECKPOINTED_MS = 15_000

describe('checkpointPeriodically', () => {
  let folder: string
  let file: string
  let db: DatabaseSync
  let stop: (() => void) | undefined

  beforeEach(async () => {
    folder = await mkdtemp(join(tmpdir(), 'passkey-id-checkpoint-'))
    file = join(folder, 'test.db')
    db = new (loadNodeSqlite().DatabaseSync)(file)
    // SQLite's own checkpoints off: only the checkpointer copies the log into the file.
    db.exec('pragma journal_mode = WAL; pragma wal_autocheckpoint = 0')
    db.exec('create table rows (id integer primary key, body text not null)')
  })
  afterEach(async () => {
    stop?.()
    stop = undefined
    db.close()
    await rm(folder, { recursive: true, force: true })
  })

  /** Writes about 400 KiB, which stays in the log until a checkpoint. */
  function writeRows(): void {
    const insert = db.prepare('insert into rows (body) values (?)')
    for (let row = 0; row < 100; row++) insert.run('x'.repeat(4000))
  }

  const fileSize = () => statSync(file).size

  it('copies the log into the database file from its thread, and no more once stopped', async () => {
    writeRows()
    const before = fileSize()
    await sleep(SEVERAL_TICKS_MS)
    expect(fileSize()).toBe(before) // nothing else checkpoints

    stop = checkpointPeriodically(file, INTERVAL_MS)
    await expect.poll(fileSize, { timeout: CHECKPOINTED_MS }).toBeGreaterThan(before + 300_000)

    stop()
    // Measured once stopped: `stop` returns after the thread's last checkpoint has ended, so a
    // checkpoint half done when the poll passed does not count as a copy after the stop.
    const checkpointed = fileSize()
    await sleep(SEVERAL_TICKS_MS)
    writeRows()
    await sleep(SEVERAL_TICKS_MS)
    expect(fileSize()).toBe(checkpointed)
  })

  it('copies what is committed while this connection holds a write transaction open', async () => {
    stop = checkpointPeriodically(file, INTERVAL_MS)
    writeRows()
    db.exec('begin')
    db.prepare('insert into rows (body) values (?)').run('uncommitted')
    await expect.poll(fileSize, { timeout: CHECKPOINTED_MS }).toBeGreaterThan(300_000)

    db.exec('commit')
    expect(db.prepare('select count(*) as count from rows').get()).toEqual({ count: 101 })
  })

  it('returns from stop once its connection is closed, so the file can be deleted then', async () => {
    writeRows()
    checkpointPeriodically(file, INTERVAL_MS)() // stopped before its thread has even started
    db.close()
    await rm(file)
    await sleep(SEVERAL_TICKS_MS)
    expect(existsSync(file)).toBe(false) // no connection left to create it again
    db = new (loadNodeSqlite().DatabaseSync)(':memory:') // for afterEach
  })

  it('stops quietly, leaving this process running, when it cannot open its file', async () => {
    stop = checkpointPeriodically(join(folder, 'missing', 'gone.db'), INTERVAL_MS)
    await sleep(SEVERAL_TICKS_MS)
    writeRows()
    expect(db.prepare('select count(*) as count from rows').get()).toEqual({ count: 100 })
  })
})
