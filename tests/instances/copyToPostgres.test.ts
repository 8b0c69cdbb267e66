import { randomBytes } from 'node:crypto'
import { createSoftwareAuthenticator, type SoftwareAuthenticator } from '@passkey-id/authenticator'
import { openDatabase } from '@passkey-id/store'
import { type TestDatabase, testDatabaseUrl } from '@passkey-id/testing/database'
import { freePort, PAGE_ACCEPT, TestBrowser } from '@passkey-id/testing/http'
import { runProviderCommand, startProviderProcess } from '@passkey-id/testing/processes'
import { discoverAsApp, openAccountPage, signInWithCodeFlow } from '@passkey-id/testing/sign-in'
import type { JSONWebKeySet } from 'jose'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { COPIED_TABLES } from '../../packages/provider/src/store/copyDatabase.ts'
import type { ProviderDatabase } from '../../packages/provider/src/store/schema.ts'

// Someone who started on SQLite (`npm start`) moves to PostgreSQL with `db copy`: real provider
// processes before and after, the copy through the CLI as a person runs it. Always SQLite to
// PostgreSQL, so this runs once, not in each database's project.

const STEP_MS = 180_000
/** Two apps on different hosts, so each sees its own pairwise `sub` for a person. */
const APPS = ['https://one.example', 'https://two.example'] as const
const PEOPLE = ['alice', 'bob'] as const
/** Secrets are sealed at rest on SQLite: copied byte for byte, they open under the same key. */
const ENCRYPTION_KEY = randomBytes(32).toString('base64')

/** The non-empty lines of a text. */
const lines = (text: string) => text.split('\n').filter((line) => line.trim() !== '')

/** Every row of every provider table, in a stable order, to show that a refusal changed nothing. */
async function allRows(url: string): Promise<Record<string, unknown[]>> {
  const db = openDatabase<ProviderDatabase>(url)
  try {
    // Live protocol records are compared by name below: the provider adds some as it starts.
    const tables = COPIED_TABLES.filter((table) => table !== 'oidc_records')
    const rows: Record<string, unknown[]> = {}
    for (const table of tables) {
      rows[table] = (await db.selectFrom(table).selectAll().execute()).map((row) =>
        JSON.stringify(row),
      )
      rows[table].sort()
    }
    rows.oidc_records = (await db.selectFrom('oidc_records').select(['model', 'id']).execute())
      .map((row) => `${row.model}/${row.id}`)
      .sort()
    return rows
  } finally {
    await db.destroy()
  }
}

describe('moving from SQLite to PostgreSQL with npm run provider -- db copy', () => {
  const passkeys = new Map<string, SoftwareAuthenticator>(
    PEOPLE.map((person) => [person, createSoftwareAuthenticator()]),
  )
  /** Each person's `sub` at each app, before the move. */
  const subs = new Map<string, string>()
  /** Alice's browser, signed in to the provider before the move. */
  const signedIn = new TestBrowser()
  let sqlite: TestDatabase
  let postgres: TestDatabase
  let kids: string[] = []
  let port: number
  let url: string

  beforeAll(async () => {
    sqlite = await testDatabaseUrl('provider', {})
    postgres = await testDatabaseUrl('provider', {
      ...process.env,
      PASSKEY_ID_TEST_DATABASE: 'postgres',
    })
    port = await freePort()
    url = `http://localhost:${port}`
  })
  afterAll(async () => {
    await sqlite?.drop()
    await postgres?.drop()
  })

  const start = (databaseUrl: string) =>
    startProviderProcess({ DATABASE_URL: databaseUrl, PORT: String(port), ENCRYPTION_KEY })
  const copy = (databaseUrl: string, from = sqlite.url) =>
    runProviderCommand(['db', 'copy', '--from', from], { DATABASE_URL: databaseUrl })

  /** Signs `person` in to `app` with their passkey in a new browser: the `sub` and whether consent was asked. */
  async function signIn(person: string, app: string, signUp = false) {
    const config = await discoverAsApp(url, app)
    const { tokens, outcome } = await signInWithCodeFlow(
      config,
      new TestBrowser(),
      passkeys.get(person) as SoftwareAuthenticator,
      { redirectUri: `${app}/cb`, script: signUp ? { signUp: { username: person } } : {} },
    )
    return { sub: String(tokens.claims()?.sub), sawConsent: outcome.sawConsent }
  }

  const publishedKids = async () =>
    ((await (await fetch(`${url}/openid/jwks`)).json()) as JSONWebKeySet).keys
      .map((key) => String(key.kid))
      .sort()

  it(
    'on SQLite: two people sign up and sign in to two apps',
    async () => {
      const provider = await start(sqlite.url)
      try {
        for (const person of PEOPLE) {
          for (const [index, app] of APPS.entries()) {
            const { sub, sawConsent } = await signIn(person, app, index === 0)
            expect(sawConsent).toBe(true)
            subs.set(`${person}@${app}`, sub)
          }
        }
        await openAccountPage(signedIn, passkeys.get('alice') as SoftwareAuthenticator, url)
        kids = await publishedKids()
      } finally {
        expect(await provider.stop()).toEqual({ code: 0, signal: null })
      }
      expect(new Set(subs.values()).size).toBe(4)
      expect(kids).toHaveLength(2)
    },
    STEP_MS,
  )

  it(
    'copies everything into the empty PostgreSQL schema, saying what it copied',
    async () => {
      const { exit, output } = await copy(postgres.url)
      expect(exit, output).toEqual({ code: 0, signal: null })
      expect(lines(output)[0]).toMatch(
        /^copied 2 accounts, 0 email_codes, 2 passkeys, 4 consents, \d+ security_events, 2 signing_keys, 4 secrets, \d+ oidc_records into postgres:\/\//,
      )
      const before = await allRows(sqlite.url)
      const after = await allRows(postgres.url)
      expect(after.security_events?.length).toBeGreaterThan(0)
      for (const table of COPIED_TABLES.filter((table) => table !== 'oidc_records'))
        expect(after[table], table).toEqual(before[table])
      for (const secret of after.secrets ?? []) expect(String(secret)).toMatch(/"value":"enc1\./)
    },
    STEP_MS,
  )

  it(
    'on PostgreSQL: the same keys, the same sub at each app, no consent asked again, the session kept',
    async () => {
      const provider = await start(postgres.url)
      try {
        expect(await publishedKids()).toEqual(kids)
        for (const person of PEOPLE) {
          for (const app of APPS) {
            expect(await signIn(person, app)).toEqual({
              sub: subs.get(`${person}@${app}`),
              sawConsent: false,
            })
          }
        }
        const account = await signedIn.fetch(`${url}/account`, { headers: { accept: PAGE_ACCEPT } })
        expect(account.status).toBe(200)
        expect(await account.text()).toContain('alice')
      } finally {
        expect(await provider.stop()).toEqual({ code: 0, signal: null })
      }
    },
    STEP_MS,
  )

  it(
    'refuses a second copy in one line, changing nothing',
    async () => {
      const before = await allRows(postgres.url)
      const { exit, output } = await copy(postgres.url)
      expect(exit.code, output).toBe(1)
      expect(lines(output)).toEqual([
        'passkey-id provider: the database of DATABASE_URL is not empty (accounts has rows): db copy copies only into an empty database; nothing was changed',
      ])
      expect(await allRows(postgres.url)).toEqual(before)
    },
    STEP_MS,
  )

  it(
    'refuses a target a provider already started on, changing nothing',
    async () => {
      const used = await testDatabaseUrl('provider', {
        ...process.env,
        PASSKEY_ID_TEST_DATABASE: 'postgres',
      })
      try {
        const provider = await startProviderProcess({ DATABASE_URL: used.url })
        await provider.stop()
        const before = await allRows(used.url)
        expect(before.signing_keys).toHaveLength(2)
        const { exit, output } = await copy(used.url)
        expect(exit.code, output).toBe(1)
        expect(lines(output)).toEqual([
          'passkey-id provider: the database of DATABASE_URL is not empty (signing_keys has rows): db copy copies only into an empty database; nothing was changed',
        ])
        expect(await allRows(used.url)).toEqual(before)
      } finally {
        await used.drop()
      }
    },
    STEP_MS,
  )
})
