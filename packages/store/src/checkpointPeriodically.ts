import { Worker } from 'node:worker_threads'

/**
 * The checkpointer's thread: a connection of its own to the file, a PASSIVE checkpoint every
 * `intervalMs` (it waits for no reader or writer, and copies what is committed), closed on any
 * message, after which it flags `closed`. Plain JavaScript, so the thread needs no TypeScript loader. node:sqlite is loaded as
 * `loadNodeSqlite` loads it, keeping back Node 22's ExperimentalWarning and that one warning only.
 */
const CHECKPOINTER = `
const { parentPort, workerData } = require('node:worker_threads')
const { filename, intervalMs, closed } = workerData
const emitWarning = process.emitWarning
process.emitWarning = (warning, ...rest) => {
  const message = typeof warning === 'string' ? warning : warning.message
  if (!message.startsWith('SQLite is an experimental feature')) emitWarning.call(process, warning, ...rest)
}
const { DatabaseSync } = process.getBuiltinModule('node:sqlite')
process.emitWarning = emitWarning
const done = () => {
  Atomics.store(closed, 0, 1)
  Atomics.notify(closed, 0)
  parentPort.close()
}
let db
try {
  db = new DatabaseSync(filename)
} catch {
  done()
}
if (db !== undefined) {
  const timer = setInterval(() => {
    try {
      db.exec('pragma wal_checkpoint(PASSIVE)')
    } catch {
      // Housekeeping: a failing checkpoint leaves the log to the next one, or to SQLite's own.
    }
  }, intervalMs)
  parentPort.once('message', () => {
    clearInterval(timer)
    db.close()
    done()
  })
}
`

/**
 * Copies the write-ahead log of the SQLite file `filename` back into the file every `intervalMs`,
 * from a thread of its own that keeps no process alive. Returns the function that stops it.
 *
 * Left to itself, SQLite checkpoints inside the commit that fills its log past `wal_autocheckpoint`
 * pages: node:sqlite is synchronous, so every few hundred writes the event loop stops for the page
 * copies and both fsyncs (5-20 ms per hundred writes measured here, most of it waiting for the
 * disk), and with it every request in flight. From another thread, requests never wait for a
 * checkpoint, and a page written many times between two is copied once. A thread that fails (a file
 * it cannot open) just stops: SQLite's own checkpoint, at the larger limit `openDatabase` sets,
 * then does the work.
 */
export function checkpointPeriodically(filename: string, intervalMs: number): () => void {
  const closed = new Int32Array(new SharedArrayBuffer(Int32Array.BYTES_PER_ELEMENT))
  const worker = new Worker(CHECKPOINTER, {
    eval: true,
    workerData: { filename, intervalMs, closed },
  })
  worker.unref()
  // An error event with no listener would end this process; the thread's end is all it means.
  worker.on('error', () => {})
  return () => {
    worker.postMessage('stop')
    // Kysely closes a database without waiting, and whoever closed it may delete the file next:
    // the thread's connection must be closed by then, or it would create the file again.
    Atomics.wait(closed, 0, 0, STOP_WAIT_MS)
  }
}

/** The longest `stop` waits for the thread to close its connection (it may be starting still). */
const STOP_WAIT_MS = 2000
