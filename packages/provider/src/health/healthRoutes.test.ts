import { mkdtemp, rm } from 'node:fs/promises'
import { createServer, type Server, type Socket } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { openDatabase } from '@passkey-id/store'
import Fastify, { type FastifyInstance } from 'fastify'
import { Kysely, PostgresDialect } from 'kysely'
import pg from 'pg'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { healthRoutes, READINESS_TIMEOUT_MS } from './healthRoutes.ts'

let folder: string
const closing: Array<() => Promise<unknown>> = []

beforeAll(async () => {
  folder = await mkdtemp(join(tmpdir(), 'passkey-id-health-'))
})
afterEach(async () => {
  for (const close of closing.splice(0).reverse()) await close()
})
afterAll(async () => {
  await rm(folder, { recursive: true, force: true })
})

/** A server with only the health routes, over `db`, listening on an ephemeral port. */
async function serve<Schema>(db: Kysely<Schema>, keysLoaded = () => true): Promise<string> {
  const app: FastifyInstance = Fastify()
  await app.register(healthRoutes, { db, keysLoaded })
  await app.listen({ port: 0, host: '127.0.0.1' })
  closing.push(() => app.close())
  const { port } = app.server.address() as { port: number }
  return `http://127.0.0.1:${port}`
}

/** A TCP server that accepts connections and never answers, as a hung database server does. */
async function blackHole(): Promise<{
  port: number
  connections: () => number
  close: () => Promise<unknown>
}> {
  const sockets: Socket[] = []
  const server: Server = createServer((socket) => sockets.push(socket))
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {
    port: (server.address() as { port: number }).port,
    connections: () => sockets.length,
    close: async () => {
      for (const socket of sockets) socket.destroy()
      await new Promise((resolve) => server.close(resolve))
    },
  }
}

describe('GET /healthz and GET /readyz', () => {
  it('answer 200 while the process runs and the database answers, never from a cache', async () => {
    const db = openDatabase(join(folder, 'ready.db'))
    closing.push(() => db.destroy())
    const url = await serve(db)
    const health = await fetch(`${url}/healthz`)
    expect(health.status).toBe(200)
    expect(await health.json()).toEqual({ status: 'ok' })
    expect(health.headers.get('cache-control')).toBe('no-store')
    const ready = await fetch(`${url}/readyz`)
    expect(ready.status).toBe(200)
    expect(await ready.json()).toEqual({ status: 'ready' })
    expect(ready.headers.get('cache-control')).toBe('no-store')
    expect((await fetch(`${url}/readyz`, { method: 'HEAD' })).status).toBe(200)
  })

  it('say 503 with the reason and Retry-After when the signing keys are not loaded', async () => {
    const db = openDatabase(join(folder, 'keys.db'))
    closing.push(() => db.destroy())
    const url = await serve(db, () => false)
    const ready = await fetch(`${url}/readyz`)
    expect(ready.status).toBe(503)
    expect(ready.headers.get('retry-after')).toBe('5')
    expect(await ready.json()).toEqual({
      status: 'not ready',
      reason: 'keys',
      error: 'not_ready',
      message: 'Not ready: the signing keys are not loaded.',
    })
    expect((await fetch(`${url}/healthz`)).status).toBe(200)
  })

  it('say 503 with the driver’s reason when the database cannot be queried', async () => {
    const db = openDatabase(join(folder, 'closed.db'))
    const url = await serve(db)
    expect((await fetch(`${url}/readyz`)).status).toBe(200)
    await db.destroy()
    const ready = await fetch(`${url}/readyz`)
    expect(ready.status).toBe(503)
    expect(ready.headers.get('retry-after')).toBe('5')
    const body = (await ready.json()) as { reason: string; message: string }
    expect(body.reason).toBe('database')
    expect(body.message).toMatch(/^Not ready: the database cannot be queried \(.*destroyed.*\)\.$/)
  })

  it('answer within the bound when the database hangs, with one query for overlapping probes', async () => {
    const hole = await blackHole()
    const pool = new pg.Pool({
      connectionString: `postgres://postgres@127.0.0.1:${hole.port}/test`,
      connectionTimeoutMillis: 10 * READINESS_TIMEOUT_MS,
    })
    pool.on('error', () => {})
    const db = new Kysely({ dialect: new PostgresDialect({ pool }) })
    // The pool's connection attempt is still waiting on the black hole: cut it, then end the pool.
    closing.push(() => db.destroy(), hole.close)
    const url = await serve(db)
    const started = Date.now()
    const answers = await Promise.all(Array.from({ length: 5 }, () => fetch(`${url}/readyz`)))
    const elapsed = Date.now() - started
    expect(answers.map((answer) => answer.status)).toEqual([503, 503, 503, 503, 503])
    expect(elapsed).toBeGreaterThanOrEqual(READINESS_TIMEOUT_MS - 50)
    // Readiness answers at its own timeout, not the pool's (10 times longer): the upper bound stays
    // well below the pool's, and wide enough for five fetches on a loaded machine.
    expect(elapsed).toBeLessThan(5 * READINESS_TIMEOUT_MS)
    const body = (await answers[0]?.json()) as { message: string }
    expect(body.message).toBe(
      `Not ready: the database did not answer within ${READINESS_TIMEOUT_MS} ms.`,
    )
    expect(hole.connections()).toBe(1)
    expect((await fetch(`${url}/healthz`)).status).toBe(200)
  })
})
