import { testDatabaseUrl } from '@passkey-id/testing/database'
import { startTcpProxy } from '@passkey-id/testing/processes'
import Fastify, { type FastifyInstance } from 'fastify'
import { afterEach, describe, expect, it } from 'vitest'
import { passkeyId } from '../src/index.ts'
import { APP, startFakeIssuer } from './support/startFakeIssuer.ts'

const closing: Array<() => Promise<unknown>> = []
afterEach(async () => {
  for (const close of closing.splice(0).reverse()) await close()
})

/** An API with the plugin's health routes, and the sessions given. */
async function api(
  issuer: string,
  sessions: { databaseUrl: string } | false,
): Promise<FastifyInstance> {
  const app = Fastify()
  await app.register(passkeyId, {
    issuer,
    appUrl: APP,
    docs: false,
    health: true,
    sessions,
    timeoutSeconds: 1,
  })
  await app.ready()
  closing.push(() => app.close())
  return app
}

describe('the health option', () => {
  it('answers /healthz, and /readyz by whether the provider answers', async () => {
    const issuer = await startFakeIssuer()
    const app = await api(issuer.issuer, false)
    const health = await app.inject('/healthz')
    expect([health.statusCode, health.json(), health.headers['cache-control']]).toEqual([
      200,
      { status: 'ok' },
      'no-store',
    ])
    const ready = await app.inject('/readyz')
    expect([ready.statusCode, ready.json(), ready.headers['cache-control']]).toEqual([
      200,
      { status: 'ready' },
      'no-store',
    ])

    await issuer.server.close()
    const down = await app.inject('/readyz')
    expect(down.statusCode).toBe(503)
    expect(down.headers['retry-after']).toBe('5')
    expect(down.headers['cache-control']).toBe('no-store')
    expect(down.json()).toMatchObject({ error: 'not_ready' })
    expect(down.json().message).toMatch(
      new RegExp(`^Not ready: the sign-in provider ${issuer.issuer} cannot be reached`),
    )
    expect((await app.inject('/healthz')).statusCode).toBe(200)
  })

  it('says not ready while the session database cannot be reached, and ready when it is back', async () => {
    const issuer = await startFakeIssuer()
    closing.push(() => issuer.server.close())
    const database = await testDatabaseUrl('sessions', {
      ...process.env,
      PASSKEY_ID_TEST_DATABASE: 'postgres',
    })
    closing.push(() => database.drop())
    const url = new URL(database.url)
    const proxy = await startTcpProxy(Number(url.port))
    closing.push(() => proxy.close())
    url.port = String(proxy.port)
    const app = await api(issuer.issuer, { databaseUrl: url.toString() })
    expect((await app.inject('/readyz')).statusCode).toBe(200)

    await proxy.cut()
    const down = await app.inject('/readyz')
    expect(down.statusCode).toBe(503)
    expect(down.json().message).toMatch(
      /^Not ready: the session database cannot be queried \(.*\)\.$/,
    )

    await proxy.restore()
    expect((await app.inject('/readyz')).statusCode).toBe(200)
  })
})
