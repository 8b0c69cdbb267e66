import { sign } from '@fastify/cookie'
import { openDatabase } from '@passkey-id/store'
import { type TestDatabase, testDatabaseUrl } from '@passkey-id/testing/database'
import { tamperSignature } from '@passkey-id/testing/http'
import {
  LOOPBACK_APP,
  type ProviderWithAccount,
  startProviderWithAccount,
} from '@passkey-id/testing/provider'
import Fastify, { type FastifyInstance, type LightMyRequestResponse } from 'fastify'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { passkeyId } from '../src/index.ts'

/** The `name=value` of the session cookie a response sets, for the next request's Cookie header. */
function sessionCookie(response: LightMyRequestResponse): string {
  const cookie = response.cookies.find((candidate) => candidate.name === 'session')
  if (cookie === undefined) throw new Error('no session cookie was set')
  return `session=${cookie.value}`
}

describe('API sessions: a bearer token traded for a cookie', () => {
  let fixture: ProviderWithAccount
  let database: TestDatabase
  let app: FastifyInstance
  let token: string

  async function buildApi() {
    const api = Fastify()
    await api.register(passkeyId, {
      issuer: fixture.provider.url,
      appUrl: LOOPBACK_APP,
      docs: false,
      sessions: { databaseUrl: database.url },
    })
    api.get('/me', { onRequest: api.authenticate }, async (request) => ({ sub: request.user?.sub }))
    api.post('/notes', { onRequest: api.authenticate }, async () => ({ saved: true }))
    api.get('/profile', { onRequest: api.authenticate }, async (request) =>
      request.user?.userinfo(),
    )
    await api.ready()
    return api
  }

  beforeAll(async () => {
    fixture = await startProviderWithAccount({ scope: 'openid avatar' })
    database = await testDatabaseUrl('sessions')
    app = await buildApi()
    token = (await fixture.signIn({ scope: 'openid avatar' })).tokens.access_token
  })
  afterAll(async () => {
    await app.close()
    await fixture.close()
    await database.drop()
  })

  async function startSession(api = app) {
    const response = await api.inject({
      method: 'POST',
      url: '/session',
      headers: { authorization: `Bearer ${token}` },
    })
    expect(response.statusCode).toBe(201)
    return response
  }

  it('starts a session from a valid token with a signed, HttpOnly, SameSite=Lax cookie', async () => {
    const response = await startSession()
    const body = response.json()
    expect(body).toEqual({
      sub: fixture.sub,
      scopes: expect.any(Array),
      expiresAt: expect.any(String),
    })
    expect(body.scopes.sort()).toEqual(['avatar', 'openid'])
    // It lasts as long as its access token (the provider's ACCESS_TOKEN_TTL, 600 s), not the 8 h of
    // ttlSeconds: past the token's expiry, the provider could no longer say whether it was revoked.
    const lifetime = Date.parse(body.expiresAt) - Date.now()
    expect(lifetime).toBeGreaterThan(500_000)
    expect(lifetime).toBeLessThanOrEqual(600_000)
    const cookie = response.cookies.find((candidate) => candidate.name === 'session')
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Lax', path: '/' })
    expect(Math.abs(Number(cookie?.maxAge) * 1000 - lifetime)).toBeLessThan(2_000)
    expect(cookie?.secure).toBeFalsy()
    expect(cookie?.value).toMatch(/\./)
  })

  it('lets routes through with the cookie alone, and serves the profile kept at sign-in', async () => {
    const cookie = sessionCookie(await startSession())
    expect((await app.inject({ url: '/me', headers: { cookie } })).json()).toEqual({
      sub: fixture.sub,
    })
    expect((await app.inject({ url: '/session', headers: { cookie } })).json()).toMatchObject({
      sub: fixture.sub,
    })
    expect((await app.inject({ url: '/profile', headers: { cookie } })).json()).toMatchObject({
      sub: fixture.sub,
      preferred_username: 'alice',
    })
  })

  it('refuses to start a session without a token, or from a cookie', async () => {
    expect((await app.inject({ method: 'POST', url: '/session' })).statusCode).toBe(401)
    const cookie = sessionCookie(await startSession())
    const fromCookie = await app.inject({
      method: 'POST',
      url: '/session',
      headers: { cookie, 'sec-fetch-site': 'same-origin' },
    })
    expect(fromCookie.statusCode).toBe(400)
  })

  it('refuses a forged or tampered cookie', async () => {
    const cookie = sessionCookie(await startSession())
    const [id = '', signature = ''] = cookie.slice('session='.length).split('.')
    for (const forged of [
      `session=${id}`,
      `session=${tamperSignature(`${id}.${signature}`)}`,
      `session=${id.startsWith('x') ? 'y' : 'x'}${id.slice(1)}.${signature}`,
      'session=garbage',
    ]) {
      const response = await app.inject({ url: '/me', headers: { cookie: forged } })
      expect(response.statusCode, forged).toBe(401)
    }
  })

  it('refuses a cross-site unsafe request authenticated by the cookie (CSRF), and allows the app itself', async () => {
    const cookie = sessionCookie(await startSession())
    for (const headers of [
      { 'sec-fetch-site': 'cross-site' },
      { 'sec-fetch-site': 'same-site' },
      { 'sec-fetch-site': 'cross-site', origin: 'null' },
      { origin: 'https://evil.example.com' },
    ]) {
      const response = await app.inject({
        method: 'POST',
        url: '/notes',
        headers: { cookie, ...headers },
      })
      expect(response.statusCode).toBe(403)
      expect(response.json().error).toBe('cross_site_request')
      expect(response.headers['www-authenticate']).toBe(`Bearer realm="${LOOPBACK_APP}"`)
    }
    expect(
      (
        await app.inject({
          method: 'POST',
          url: '/notes',
          headers: { cookie, 'sec-fetch-site': 'same-origin' },
        })
      ).statusCode,
    ).toBe(200)
    expect(
      (
        await app.inject({
          method: 'POST',
          url: '/notes',
          headers: { cookie, origin: LOOPBACK_APP },
        })
      ).statusCode,
    ).toBe(200)
    // A bearer token is not sent by browsers on their own: no CSRF check for it.
    expect(
      (
        await app.inject({
          method: 'POST',
          url: '/notes',
          headers: { authorization: `Bearer ${token}`, 'sec-fetch-site': 'cross-site' },
        })
      ).statusCode,
    ).toBe(200)
  })

  it('signs out with DELETE /session: the cookie stops working and is cleared', async () => {
    const cookie = sessionCookie(await startSession())
    const crossSite = await app.inject({
      method: 'DELETE',
      url: '/session',
      headers: { cookie, 'sec-fetch-site': 'cross-site' },
    })
    expect(crossSite.statusCode).toBe(403)
    const out = await app.inject({
      method: 'DELETE',
      url: '/session',
      headers: { cookie, 'sec-fetch-site': 'same-origin' },
    })
    expect(out.statusCode).toBe(204)
    expect(out.cookies.find((candidate) => candidate.name === 'session')?.value).toBe('')
    expect((await app.inject({ url: '/me', headers: { cookie } })).statusCode).toBe(401)
  })

  it('lists and ends every session of one person', async () => {
    const cookies = [sessionCookie(await startSession()), sessionCookie(await startSession())]
    expect((await app.sessions.list(fixture.sub)).length).toBeGreaterThanOrEqual(2)
    expect(await app.sessions.endAll(fixture.sub)).toBeGreaterThanOrEqual(2)
    for (const cookie of cookies)
      expect((await app.inject({ url: '/me', headers: { cookie } })).statusCode).toBe(401)
    expect(await app.sessions.list(fixture.sub)).toEqual([])
  })

  it('keeps neither the cookie nor the token in its table: a copy of it signs no one in', async () => {
    const cookie = sessionCookie(await startSession())
    const value = decodeURIComponent(cookie.slice('session='.length)).split('.')[0] ?? ''
    // What someone holding a copy of the database (a backup, a leaked replica) can read.
    const db = openDatabase<{
      api_sessions: { id: string; access_token: string }
      api_secrets: { name: string; value: string }
    }>(database.url)
    try {
      const rows = await db.selectFrom('api_sessions').select(['id', 'access_token']).execute()
      expect(rows.length).toBeGreaterThan(0)
      for (const row of rows) {
        expect(row.id).not.toBe(value)
        expect(row.access_token).not.toContain(token)
      }
      const { value: cookieSecret } = await db
        .selectFrom('api_secrets')
        .select('value')
        .where('name', '=', 'cookie-secret')
        .executeTakeFirstOrThrow()
      // The stored ids, signed with the stored cookie secret, are cookies of no session.
      for (const row of rows) {
        const forged = `session=${encodeURIComponent(sign(row.id, cookieSecret))}`
        expect((await app.inject({ url: '/me', headers: { cookie: forged } })).statusCode).toBe(401)
      }
    } finally {
      await db.destroy()
    }
    expect((await app.inject({ url: '/me', headers: { cookie } })).statusCode).toBe(200)
  })

  it("grants a session its token's scopes, whatever its row says", async () => {
    const cookie = sessionCookie(await startSession())
    const db = openDatabase<{ api_sessions: { scopes: string } }>(database.url)
    try {
      await db.updateTable('api_sessions').set({ scopes: 'openid avatar email admin' }).execute()
    } finally {
      await db.destroy()
    }
    const who = await app.inject({ url: '/session', headers: { cookie } })
    expect(who.statusCode).toBe(200)
    expect(who.json().scopes.toSorted()).toEqual(['avatar', 'openid'])
  })

  it('ends a session whose stored token was changed, after its token was opened and remembered', async () => {
    await app.sessions.endAll(fixture.sub)
    const cookie = sessionCookie(await startSession())
    const other = sessionCookie(await startSession())
    // Both tokens opened once: the plugin remembers them with the values they were opened from.
    for (const each of [cookie, other])
      expect((await app.inject({ url: '/me', headers: { cookie: each } })).statusCode).toBe(200)
    const db = openDatabase<{ api_sessions: { id: string; access_token: string } }>(database.url)
    try {
      const rows = await db.selectFrom('api_sessions').select(['id', 'access_token']).execute()
      expect(rows).toHaveLength(2)
      // One row gets the token in clear, the other the first one's sealed token.
      const [first, second] = rows
      await db
        .updateTable('api_sessions')
        .set({ access_token: token })
        .where('id', '=', String(first?.id))
        .execute()
      await db
        .updateTable('api_sessions')
        .set({ access_token: String(first?.access_token) })
        .where('id', '=', String(second?.id))
        .execute()
    } finally {
      await db.destroy()
    }
    for (const each of [cookie, other])
      expect((await app.inject({ url: '/me', headers: { cookie: each } })).statusCode).toBe(401)
    expect(await app.sessions.list(fixture.sub)).toEqual([])
  })

  it('keeps sessions across a restart of the API', async () => {
    const cookie = sessionCookie(await startSession())
    await app.close()
    app = await buildApi()
    expect((await app.inject({ url: '/me', headers: { cookie } })).json()).toEqual({
      sub: fixture.sub,
    })
  })
})

/** Below the provider's access-token lifetime (600 s), so the session ends by its own ttlSeconds. */
const SESSION_TTL_SECONDS = 60

describe('API sessions that end or cannot start', () => {
  let fixture: ProviderWithAccount
  let database: TestDatabase
  let app: FastifyInstance
  let token: string

  beforeAll(async () => {
    fixture = await startProviderWithAccount({ scope: 'openid avatar' })
    database = await testDatabaseUrl('sessions')
    app = Fastify()
    await app.register(passkeyId, {
      issuer: fixture.provider.url,
      appUrl: LOOPBACK_APP,
      docs: false,
      sessions: { databaseUrl: database.url, ttlSeconds: SESSION_TTL_SECONDS },
    })
    app.get('/me', { onRequest: app.authenticate }, async (request) => ({ sub: request.user?.sub }))
    await app.ready()
    token = (await fixture.signIn({ scope: 'openid avatar' })).tokens.access_token
  })
  afterAll(async () => {
    await app.close()
    await fixture.close()
    await database.drop()
  })

  it('stops accepting a session cookie once ttlSeconds have passed', async () => {
    const started = await app.inject({
      method: 'POST',
      url: '/session',
      headers: { authorization: `Bearer ${token}` },
    })
    expect(started.statusCode).toBe(201)
    const cookie = sessionCookie(started)
    expect((await app.inject({ url: '/me', headers: { cookie } })).statusCode).toBe(200)
    // The store's clock is Date: moved past ttlSeconds rather than waited for, so a slow machine
    // neither lets the session end before the first /me nor makes the test wait (only Date is
    // faked; the sockets' timers run as usual).
    vi.useFakeTimers({ toFake: ['Date'] })
    try {
      vi.setSystemTime(Date.now() + SESSION_TTL_SECONDS * 1000 + 500)
      expect((await app.inject({ url: '/me', headers: { cookie } })).statusCode).toBe(401)
    } finally {
      vi.useRealTimers()
    }
  })

  it('answers 503 and stores nothing when the provider cannot give the profile at sign-in', async () => {
    // A new token is verified (and its verdict cached) while the provider is up; then it goes down
    // before anything asked for the token's profile.
    const fresh = (await fixture.signIn({ scope: 'openid avatar' })).tokens.access_token
    expect(
      (await app.inject({ url: '/me', headers: { authorization: `Bearer ${fresh}` } })).statusCode,
    ).toBe(200)
    const before = (await app.sessions.list(fixture.sub)).length
    await fixture.provider.stop()
    const response = await app.inject({
      method: 'POST',
      url: '/session',
      headers: { authorization: `Bearer ${fresh}` },
    })
    expect(response.statusCode).toBe(503)
    expect(response.headers['retry-after']).toBe('5')
    expect(response.json()).toMatchObject({ error: 'temporarily_unavailable' })
    expect(response.cookies).toEqual([])
    expect((await app.sessions.list(fixture.sub)).length).toBe(before)
  })
})
