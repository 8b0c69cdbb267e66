import { type TestDatabase, testDatabaseUrl } from '@passkey-id/testing/database'
import { freePort, PAGE_ACCEPT, TestBrowser } from '@passkey-id/testing/http'
import {
  LOOPBACK_APP,
  type ProviderWithAccount,
  startProviderWithAccount,
  type TestProvider,
} from '@passkey-id/testing/provider'
import { openAccountPage } from '@passkey-id/testing/sign-in'
import Fastify, { type FastifyInstance } from 'fastify'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { passkeyId } from '../src/index.ts'

/** The bound under test: how long the provider's word on a token is trusted, in seconds. */
const REVALIDATE_AFTER_SECONDS = 1

/** Waits `ms` milliseconds. */
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

describe('revocation at the provider reaches the API: sessions and bearer tokens', () => {
  let fixture: ProviderWithAccount
  /** The provider now running: the fixture's, or the one restarted after an outage. */
  let provider: TestProvider
  let database: TestDatabase
  let api: FastifyInstance
  let apiUrl: string
  /** Introspection requests the provider has received, counted on its real HTTP server. */
  let introspections = 0

  beforeAll(async () => {
    fixture = await startProviderWithAccount({ scope: 'openid avatar' })
    provider = fixture.provider
    const introspectionPath = new URL(
      String(fixture.config.serverMetadata().introspection_endpoint),
    ).pathname
    provider.app.server.on('request', (request: { url?: string }) => {
      if (request.url?.startsWith(introspectionPath)) introspections += 1
    })
    database = await testDatabaseUrl('sessions')
    api = Fastify()
    await api.register(passkeyId, {
      issuer: provider.url,
      appUrl: LOOPBACK_APP,
      docs: false,
      // Generous: an introspection slower than this answers 503, which a loaded machine can cause.
      timeoutSeconds: 5,
      revalidateAfterSeconds: REVALIDATE_AFTER_SECONDS,
      sessions: { databaseUrl: database.url },
    })
    api.get('/me', { onRequest: api.authenticate }, async (request) => ({
      sub: request.user?.sub,
    }))
    const port = await freePort()
    await api.listen({ port, host: 'localhost' })
    apiUrl = `http://localhost:${port}`
  })
  afterAll(async () => {
    await api?.close()
    await provider?.close()
    await database?.drop()
  })

  /** Signs the account in to the app and trades its access token for a session cookie, over HTTP. */
  async function startSession(): Promise<{ token: string; cookie: string }> {
    const token = (await fixture.signIn({ scope: 'openid avatar' })).tokens.access_token
    const started = await fetch(`${apiUrl}/session`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}` },
    })
    expect(started.status).toBe(201)
    const cookie = started.headers.getSetCookie()[0]?.split(';')[0] ?? ''
    expect(cookie).toMatch(/^session=/)
    return { token, cookie }
  }

  const me = (headers: Record<string, string>) => fetch(`${apiUrl}/me`, { headers })

  it('ends a session and its token within revalidateAfterSeconds of the app being revoked on the account page', async () => {
    const { token, cookie } = await startSession()

    // Within the bound, a session costs no call to the provider, however many requests it makes.
    const before = introspections
    const burst = await Promise.all(Array.from({ length: 20 }, () => me({ cookie })))
    expect(burst.map((response) => response.status)).toEqual(Array(20).fill(200))
    expect(introspections - before).toBeLessThanOrEqual(1)
    // Past it, the session is checked again, and the provider still vouches for it.
    await pause(REVALIDATE_AFTER_SECONDS * 1000 + 100)
    const beforeRecheck = introspections
    expect((await me({ cookie })).status).toBe(200)
    expect(introspections - beforeRecheck).toBe(1)

    const browser = new TestBrowser()
    await openAccountPage(browser, fixture.authenticator, provider.url)
    const revoked = await browser.fetch(`${provider.url}/account/apps/revoke`, {
      method: 'POST',
      headers: { accept: PAGE_ACCEPT, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ client_id: LOOPBACK_APP }),
    })
    expect(revoked.status).toBe(303)
    const revokedAt = Date.now()

    // The provider's last word on the token came before the revocation, so no request that starts
    // more than revalidateAfterSeconds after it may still be let in, however slow the machine. A
    // 503 (an introspection slower than timeoutSeconds) keeps the session: only a 401 ends it.
    const boundMs = REVALIDATE_AFTER_SECONDS * 1000
    const lateAcceptances: number[] = []
    let ended: Response | undefined
    while (ended === undefined && Date.now() - revokedAt < 15_000) {
      const startedAfterMs = Date.now() - revokedAt
      const response = await me({ cookie })
      if (response.status === 200 || response.status === 503) {
        if (response.status === 200 && startedAfterMs >= boundMs)
          lateAcceptances.push(startedAfterMs)
        await response.arrayBuffer()
        await pause(100)
      } else ended = response
    }
    const endedAfterMs = Date.now() - revokedAt
    expect(lateAcceptances).toEqual([])
    expect(ended?.status).toBe(401)
    // And it does end, soon: without the re-check the session would last its ttlSeconds (8 h) and
    // the token until it expires. The 5 s beyond the bound are for the requests and introspections
    // of a loaded CI machine.
    expect(endedAfterMs).toBeLessThan(boundMs + 5_000)
    expect(await ended?.json()).toEqual({
      error: 'session_ended',
      message:
        'Your session has ended: the sign-in provider no longer vouches for it (the app was revoked, or the sign-in expired). Sign in again.',
    })
    expect(ended?.headers.get('www-authenticate')).toBe(`Bearer realm="${LOOPBACK_APP}"`)
    expect(ended?.headers.getSetCookie()[0]).toMatch(/^session=;/)
    // The session is gone from the store, not merely refused once.
    expect(await api.sessions.list(fixture.sub)).toEqual([])
    expect((await (await me({ cookie })).json()).error).toBe('unauthorized')

    // The same token as a bearer token is refused too: its cached verdict has run out.
    const bearer = await me({ authorization: `Bearer ${token}` })
    expect(bearer.status).toBe(401)
    expect((await bearer.json()).error).toBe('invalid_token')
  }, 60_000)

  it('answers 503 with Retry-After while the provider is down at a re-check, and keeps the session', async () => {
    const { cookie } = await startSession()
    await pause(REVALIDATE_AFTER_SECONDS * 1000 + 100)
    await provider.stop()

    const down = await me({ cookie })
    expect(down.status).toBe(503)
    expect(down.headers.get('retry-after')).toBe('5')
    expect(await down.json()).toEqual({
      error: 'temporarily_unavailable',
      message: `Cannot check the session: the sign-in provider ${provider.url} cannot be reached or gave an unusable answer. Try again shortly.`,
    })
    expect(down.headers.getSetCookie()).toEqual([])
    expect(await api.sessions.list(fixture.sub)).toHaveLength(1)

    // The provider comes back: the same cookie works again, nobody was signed out.
    provider = await provider.restart()
    expect((await me({ cookie })).status).toBe(200)
  })
})
