import { type AddressInfo, createServer, type Server, type Socket } from 'node:net'
import { ConfigError } from '@passkey-id/runtime'
import { afterEach, describe, expect, it } from 'vitest'
import { createTestDatabase } from '../test/createTestDatabase.ts'
import { checkConnection } from './checkConnection.ts'
import { openDatabase } from './openDatabase.ts'
import { openPostgres } from './openPostgres.ts'

/** What a start prints for `url`: the ConfigError's one line, and how long it took to come. */
async function refusal(url: string, connectTimeoutMs?: number) {
  const db =
    connectTimeoutMs === undefined ? openDatabase(url) : openPostgres(url, { connectTimeoutMs })
  const started = performance.now()
  try {
    await checkConnection(db, url)
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError)
    return { message: (error as Error).message, ms: performance.now() - started }
  } finally {
    await db.destroy()
  }
  return expect.fail(`${url} should have been refused`)
}

describe('checkConnection', () => {
  const servers: Server[] = []
  const sockets: Socket[] = []
  afterEach(async () => {
    for (const socket of sockets.splice(0)) socket.destroy()
    await Promise.all(servers.splice(0).map((server) => new Promise((done) => server.close(done))))
  })

  /** A TCP server that does `onConnection` with each connection, on a free port. */
  async function listen(onConnection: (socket: Socket) => void): Promise<number> {
    const server = createServer((socket) => {
      sockets.push(socket)
      onConnection(socket)
    })
    servers.push(server)
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done))
    return (server.address() as AddressInfo).port
  }

  it('passes on a database that answers, SQLite or PostgreSQL', async () => {
    for (const kind of ['sqlite', 'postgres'] as const) {
      const database = await createTestDatabase(kind)
      const db = openDatabase(database.url)
      await expect(checkConnection(db, database.url)).resolves.toBeUndefined()
      await db.destroy()
      await database.drop()
    }
  })

  it('names the URL, without its password, and the reason, in one line', async () => {
    const cases: [string, string][] = [
      [
        'postgres://postgres:hunter2@127.0.0.1:5432/nosuchdb',
        'DATABASE_URL postgres://postgres:***@127.0.0.1:5432/nosuchdb: cannot connect: database "nosuchdb" does not exist (3D000)',
      ],
      [
        'postgres://nobody:hunter2@127.0.0.1:5432/test',
        'DATABASE_URL postgres://nobody:***@127.0.0.1:5432/test: cannot connect: role "nobody" does not exist (28000)',
      ],
      [
        'postgres://postgres@no-such-host.invalid/test',
        'DATABASE_URL postgres://postgres@no-such-host.invalid/test: cannot connect: getaddrinfo ENOTFOUND no-such-host.invalid (ENOTFOUND)',
      ],
    ]
    for (const [url, expected] of cases) {
      const { message } = await refusal(url)
      expect(message).toBe(expected)
    }
  })

  it('says so at once when nothing listens on the port, by IP address or by localhost', async () => {
    const port = await listen(() => {})
    await new Promise((done) => servers.pop()?.close(done)) // the port is free, and now closed
    for (const host of ['127.0.0.1', 'localhost']) {
      const { message, ms } = await refusal(`postgres://postgres@${host}:${port}/test`)
      expect(message).toMatch(
        new RegExp(
          `^DATABASE_URL postgres://postgres@${host}:${port}/test: cannot connect: connect ECONNREFUSED (127\\.0\\.0\\.1|::1):${port} \\(ECONNREFUSED\\)$`,
        ),
      )
      expect(ms).toBeLessThan(2000)
    }
  })

  it('gives up on a server that accepts and never answers, after the connect timeout', async () => {
    const port = await listen(() => {}) // reads the startup message, answers nothing
    const { message, ms } = await refusal(`postgres://postgres@127.0.0.1:${port}/test`, 300)
    expect(message).toBe(
      `DATABASE_URL postgres://postgres@127.0.0.1:${port}/test: cannot connect: Connection terminated due to connection timeout`,
    )
    expect(ms).toBeGreaterThanOrEqual(290)
    expect(ms).toBeLessThan(3000)
  })

  it('refuses sslmode=require on a server without TLS, as libpq does (no fallback)', async () => {
    const url = 'postgres://postgres@127.0.0.1:5432/test?sslmode=require'
    const { message } = await refusal(url)
    expect(message).toBe(
      `DATABASE_URL ${url}: cannot connect: The server does not support SSL connections`,
    )
  })

  it('names a missing sslrootcert file', async () => {
    const url =
      'postgres://postgres@127.0.0.1:5432/test?sslmode=verify-full&sslrootcert=/nonexistent/ca.pem'
    const { message } = await refusal(url)
    expect(message).toMatch(
      /cannot connect: ENOENT: no such file or directory, open '\/nonexistent\/ca\.pem' \(ENOENT\)$/,
    )
  })
})
