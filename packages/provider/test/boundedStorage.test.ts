import { statSync } from 'node:fs'
import { createProviderServer, loadProviderConfig } from '@passkey-id/provider'
import { openDatabase, parseDatabaseUrl } from '@passkey-id/store'
import { testDatabaseUrl } from '@passkey-id/testing/database'
import { freePort, PAGE_ACCEPT, TestBrowser, visibleText } from '@passkey-id/testing/http'
import {
  LOOPBACK_APP,
  LOOPBACK_REDIRECT_URI,
  type ProviderWithAccount,
  startProviderWithAccount,
} from '@passkey-id/testing/provider'
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { MAX_PARAMETER_BYTES } from '../src/oidc/checks/refuseOversizedParameters.ts'
import { deleteExpiredRecords } from '../src/store/deleteExpiredRecords.ts'
import type { ProviderDatabase } from '../src/store/schema.ts'

/** An authorization request from the loopback app, PKCE included, with `extra` parameters. */
function authorizationUrl(issuer: string, extra: Record<string, string> = {}): URL {
  const url = new URL(`${issuer}/openid/authorize`)
  url.search = new URLSearchParams({
    client_id: LOOPBACK_APP,
    redirect_uri: LOOPBACK_REDIRECT_URI,
    response_type: 'code',
    scope: 'openid',
    code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
    code_challenge_method: 'S256',
    ...extra,
  }).toString()
  return url
}

/** How many protocol records of `model` the database holds, expired or not. */
async function countRecords(databaseUrl: string, model: string): Promise<number> {
  const db = openDatabase<ProviderDatabase>(databaseUrl)
  try {
    const row = await db
      .selectFrom('oidc_records')
      .select((eb) => eb.fn.countAll<number>().as('count'))
      .where('model', '=', model)
      .executeTakeFirstOrThrow()
    return Number(row.count)
  } finally {
    await db.destroy()
  }
}

describe('stored sign-in parameters are bounded', () => {
  let fixture: ProviderWithAccount

  beforeAll(async () => {
    fixture = await startProviderWithAccount()
  })
  afterAll(() => fixture.close())

  it.each(['state', 'nonce', 'redirect_uri', 'scope', 'login_hint', 'ui_locales'])(
    'a %s over 2,048 bytes gets a page, with no redirect and nothing stored',
    async (name) => {
      const before = await countRecords(fixture.provider.config.databaseUrl, 'Interaction')
      const value =
        name === 'redirect_uri' ? `${LOOPBACK_REDIRECT_URI}?${'x'.repeat(2100)}` : 'é'.repeat(1025)
      const response = await fetch(authorizationUrl(fixture.provider.url, { [name]: value }), {
        headers: { accept: PAGE_ACCEPT },
        redirect: 'manual',
      })
      expect(response.status).toBe(400)
      expect(response.headers.get('location')).toBeNull()
      expect(visibleText(await response.text())).toContain(
        `its ${name} has ${Buffer.byteLength(value)} bytes, and at most 2048 are accepted`,
      )
      expect(await countRecords(fixture.provider.config.databaseUrl, 'Interaction')).toBe(before)
    },
  )

  it('a state of exactly 2,048 bytes is served', async () => {
    const response = await fetch(
      authorizationUrl(fixture.provider.url, { state: 's'.repeat(MAX_PARAMETER_BYTES) }),
      { redirect: 'manual' },
    )
    await response.body?.cancel()
    expect(response.status).toBe(303)
    expect(response.headers.get('location')).toMatch(/^\/interaction\//)
  })

  it('repeated sign-ins in one browser keep one session and one grant', async () => {
    const { databaseUrl } = fixture.provider.config
    const browser = new TestBrowser()
    await fixture.signIn({ browser })
    const sessions = await countRecords(databaseUrl, 'Session')
    const grants = await countRecords(databaseUrl, 'Grant')
    for (let round = 0; round < 5; round++) await fixture.signIn({ browser })
    expect(await countRecords(databaseUrl, 'Session')).toBe(sessions)
    expect(await countRecords(databaseUrl, 'Grant')).toBe(grants)
  })
})

// The database of a provider under a stream of abandoned sign-ins (each authorization request
// stores an interaction, with parameters at their largest, that nobody finishes) stays bounded:
// interactions expire, the cleanup deletes them and SQLite gives the pages back.
describe('a stream of abandoned sign-ins', () => {
  const SECONDS = Number(process.env.ABANDONED_SECONDS ?? 12)
  const INTERACTION_TTL = 3
  const CLEANUP_EVERY_MS = 1000
  /** An interaction lives INTERACTION_TTL s from its save; a second more for rounding, one spare. */
  const KEPT_WINDOW_MS = (INTERACTION_TTL + 2) * 1000

  it('leaves the database bounded', { timeout: (SECONDS + 60) * 1000 }, async () => {
    const database = await testDatabaseUrl('provider')
    const port = await freePort()
    const config = loadProviderConfig({
      DATABASE_URL: database.url,
      LOG_LEVEL: 'silent',
      PORT: String(port),
      RATE_LIMITS: 'off',
    })
    // Shorter than any INTERACTION_TTL allows, to see the steady state within seconds.
    config.lifetimes.interaction = INTERACTION_TTL
    const app = await createProviderServer(config)
    await app.listen({ port, host: 'localhost' })
    const db = openDatabase<ProviderDatabase>(database.url)
    const location = parseDatabaseUrl(database.url)
    const fileBytes = () =>
      location.kind === 'sqlite'
        ? statSync(location.filename).size + walBytes(location.filename)
        : Number.NaN
    try {
      const big = { state: 's'.repeat(2048), nonce: 'n'.repeat(2048), login_hint: 'h'.repeat(2048) }
      let sent = 0
      let peakInteractions = 0
      let peakBytes = 0
      // When each batch of requests had been answered, and how many it held: each stored its
      // interactions before its end.
      const batches: { endedAt: number; size: number }[] = []
      const end = Date.now() + SECONDS * 1000
      let nextCleanup = Date.now() + CLEANUP_EVERY_MS
      while (Date.now() < end) {
        const batch = Array.from({ length: 8 }, () =>
          fetch(authorizationUrl(config.publicUrl, big), { redirect: 'manual' }).then(
            async (response) => {
              await response.body?.cancel()
              expect(response.status).toBe(303)
            },
          ),
        )
        await Promise.all(batch)
        sent += batch.length
        batches.push({ endedAt: Date.now(), size: batch.length })
        if (Date.now() >= nextCleanup) {
          // What the provider's cleanup timer does, every second here instead of every 10 minutes.
          const cleanedAt = Date.now()
          await deleteExpiredRecords(db)
          nextCleanup = Date.now() + CLEANUP_EVERY_MS
          peakBytes = Math.max(peakBytes, fileBytes())
          const kept = await countRecords(database.url, 'Interaction')
          peakInteractions = Math.max(peakInteractions, kept)
          // After a cleanup, only the interactions of the last TTL are kept (a second more for
          // rounding): at most the requests answered in the last TTL + 2 s, at whatever rate they
          // came (a busy machine sends slowly at first, then faster).
          const recent = batches
            .filter((earlier) => earlier.endedAt >= cleanedAt - KEPT_WINDOW_MS)
            .reduce((total, earlier) => total + earlier.size, 0)
          expect(
            kept,
            `interactions kept, of ${recent} sent in the last ${KEPT_WINDOW_MS} ms`,
          ).toBeLessThanOrEqual(recent)
        }
      }
      const rate = sent / SECONDS
      await new Promise((resolve) => setTimeout(resolve, (INTERACTION_TTL + 1) * 1000))
      await deleteExpiredRecords(db)
      const left = await countRecords(database.url, 'Interaction')
      expect(left).toBe(0)
      if (location.kind === 'sqlite') {
        // The freed pages leave the file at the next checkpoint (every half second).
        await new Promise((resolve) => setTimeout(resolve, 1500))
        const pages = await sql<{ freelist_count: number }>`pragma freelist_count`.execute(db)
        const size = fileBytes()
        console.log(
          `abandoned sign-ins: ${sent} in ${SECONDS} s (${rate.toFixed(0)}/s), at most ${peakInteractions} kept at once (database at most ${(peakBytes / 1024).toFixed(0)} KiB with its log), database ${(size / 1024).toFixed(0)} KiB after (file ${(statSync(location.filename).size / 1024).toFixed(0)} KiB, log ${(walBytes(location.filename) / 1024).toFixed(0)} KiB)`,
        )
        // Every request stored over 6 KiB: without expiry and reclaimed pages the file would hold
        // them all. It holds at most a few seconds' worth, and no free pages are left behind.
        expect(statSync(location.filename).size).toBeLessThan(
          Math.max(2 * 1024 * 1024, rate * 6 * 1024 * 6),
        )
        expect(Number(pages.rows[0]?.freelist_count)).toBeLessThan(16)
      }
    } finally {
      await db.destroy()
      await app.close()
      await database.drop()
    }
  })
})

/** The size of the SQLite file's write-ahead log, which holds pages not yet checkpointed. */
function walBytes(filename: string): number {
  try {
    return statSync(`${filename}-wal`).size
  } catch {
    return 0
  }
}
