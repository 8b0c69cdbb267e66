import { randomInt } from 'node:crypto'
import { setTimeout as sleep } from 'node:timers/promises'
import { createSoftwareAuthenticator, type SoftwareAuthenticator } from '@passkey-id/authenticator'
import { openDatabase } from '@passkey-id/store'
import { type TestDatabase, testDatabaseUrl } from '@passkey-id/testing/database'
import { freePort, TestBrowser } from '@passkey-id/testing/http'
import { type ProviderProcess, startProviderProcess } from '@passkey-id/testing/processes'
import { discoverAsApp, signInWithCodeFlow } from '@passkey-id/testing/sign-in'
import { type Kysely, sql } from 'kysely'
import type * as oidc from 'openid-client'
import { afterAll, describe, expect, it } from 'vitest'
import { providerMigrations } from '../../packages/provider/src/store/migrations/index.ts'
import type { ProviderDatabase } from '../../packages/provider/src/store/schema.ts'

// The provider is killed (SIGKILL: no clean-up, no flush, no goodbye) while people are signing up,
// several times in a row, on a SQLite file and on PostgreSQL. Whatever sign-up a person saw succeed
// must still be there afterwards, with its passkey signing in to the same `sub`; a sign-up cut off
// mid-way leaves a whole account or nothing; and every restart on the same database starts cleanly.
// Only the moments of the kills are random; what is asserted is the same on every run.

const APP = 'http://localhost:8000'
const REDIRECT_URI = `${APP}/cb`
/** Browsers signing up at once, each a new person with a new passkey on every sign-up. */
const CLIENTS = 8
/** Kills per database, each followed by a restart on the same database. */
const KILLS = 4
/** How long the sign-ups run before each kill, from the first one acknowledged: a random moment. */
const LOAD_MS = { min: 300, max: 1500 }
/** The longest a fresh start may take to acknowledge its first sign-up. */
const FIRST_SIGN_UP_MS = 20_000
/**
 * Per database: five starts of the provider from cold (up to a minute each on a loaded machine), the
 * load, and a sign-in of every account afterwards.
 */
const TEST_MS = 240_000
/** Errors that say the connection went away (the process was killed), not that a request failed. */
const CONNECTION_LOST = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'EPIPE',
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
])

/** One person's sign-up, as the client saw it. */
interface Attempt {
  username: string
  /** Holds the passkey made for this sign-up (and nothing else). */
  authenticator: SoftwareAuthenticator
  /** The passkey was posted to the provider (it may have been saved without an answer). */
  submitted: boolean
  /** The provider answered the sign-up 200: the person saw their account created. */
  acknowledged: boolean
  /** The app's `sub`, once the app redeemed the code (the whole sign-up went through). */
  sub?: string
}

/** One stretch of load between a start and a kill. */
interface LoadRun {
  round: number
  killed: boolean
  attempts: Attempt[]
  /** Failures that are not the kill's: an error status, or a lost connection before the kill. */
  unexpected: string[]
}

/** A browser that notes when its person's sign-up was posted, and when its success arrived. */
class SignUpBrowser extends TestBrowser {
  constructor(private readonly attempt: Attempt) {
    super()
  }

  override async postJson<T = Record<string, unknown>>(
    url: string | URL,
    body: unknown,
    init: { site?: 'same-origin' | 'cross-site' } = {},
  ) {
    const isSignUp = new URL(url).pathname.endsWith('/sign-up')
    if (isSignUp) this.attempt.submitted = true
    const answer = await super.postJson<T>(url, body, init)
    if (isSignUp && answer.status === 200) this.attempt.acknowledged = true
    return answer
  }
}

/** Whether `error`, or an error it wraps, says the connection to the provider was lost. */
function isConnectionLost(error: unknown): boolean {
  for (let cause = error; cause instanceof Error; cause = cause.cause) {
    const code = (cause as { code?: unknown }).code
    if (typeof code === 'string' && CONNECTION_LOST.has(code)) return true
    if (cause instanceof TypeError && ['fetch failed', 'terminated'].includes(cause.message))
      return true
  }
  return false
}

/** One client: signs up new people, one after another, until the kill. */
async function signUpUntilKilled(config: oidc.Configuration, run: LoadRun, client: number) {
  for (let n = 0; !run.killed; n += 1) {
    const attempt: Attempt = {
      username: `r${run.round}c${client}n${n}`,
      authenticator: createSoftwareAuthenticator(),
      submitted: false,
      acknowledged: false,
    }
    run.attempts.push(attempt)
    try {
      const { tokens } = await signInWithCodeFlow(
        config,
        new SignUpBrowser(attempt),
        attempt.authenticator,
        { redirectUri: REDIRECT_URI, script: { signUp: { username: attempt.username } } },
      )
      attempt.sub = tokens.claims()?.sub
    } catch (error) {
      if (!(run.killed && isConnectionLost(error)))
        run.unexpected.push(`${attempt.username}: ${String(error)}`)
      return
    }
  }
}

/**
 * Runs the clients against `provider` until a random moment after its first acknowledged sign-up
 * (so that every kill has sign-ups to lose, however slow the start), SIGKILLs it, and waits for them.
 */
async function killUnderLoad(provider: ProviderProcess, round: number): Promise<LoadRun> {
  const config = await discoverAsApp(provider.url, APP)
  const run: LoadRun = { round, killed: false, attempts: [], unexpected: [] }
  const clients = Array.from({ length: CLIENTS }, (_, client) =>
    signUpUntilKilled(config, run, client),
  )
  // Past the bound, or with every client failed, the kill comes anyway and the test says why.
  const deadline = Date.now() + FIRST_SIGN_UP_MS
  const waiting = () =>
    !run.attempts.some((attempt) => attempt.acknowledged) &&
    run.unexpected.length < CLIENTS &&
    Date.now() < deadline
  while (waiting()) await sleep(50)
  await sleep(randomInt(LOAD_MS.min, LOAD_MS.max + 1))
  run.killed = true
  const exit = await provider.stop('SIGKILL')
  expect(exit.signal).toBe('SIGKILL')
  await Promise.all(clients)
  return run
}

/** The keys the provider publishes, by kid. */
async function publishedKids(provider: ProviderProcess): Promise<string[]> {
  const response = await fetch(`${provider.url}/openid/jwks`)
  const jwks = (await response.json()) as { keys: { kid: string }[] }
  return jwks.keys.map((key) => key.kid).sort()
}

/** Every account as stored, with the credential IDs of its passkeys. */
async function storedAccounts(db: Kysely<ProviderDatabase>) {
  const rows = await db
    .selectFrom('accounts')
    .leftJoin('passkeys', 'passkeys.account_id', 'accounts.id')
    .select(['accounts.id', 'accounts.username', 'passkeys.id as passkey'])
    .execute()
  const accounts = new Map<string, { username: string; passkeys: string[] }>()
  for (const row of rows) {
    const account = accounts.get(row.id) ?? { username: row.username, passkeys: [] }
    if (row.passkey !== null) account.passkeys.push(row.passkey)
    accounts.set(row.id, account)
  }
  return [...accounts.values()]
}

/** The database's own check of its files (SQLite), or nothing to check (PostgreSQL). */
async function integrityProblems(db: Kysely<ProviderDatabase>, kind: string): Promise<string[]> {
  if (kind !== 'sqlite') return []
  const { rows } = await sql<{ integrity_check: string }>`pragma integrity_check`.execute(db)
  return rows.map((row) => row.integrity_check).filter((result) => result !== 'ok')
}

/** A sign-in to the app with the attempt's passkey in a new browser; returns the app's `sub`. */
async function signInAgain(config: oidc.Configuration, attempt: Attempt): Promise<string> {
  const { tokens } = await signInWithCodeFlow(config, new TestBrowser(), attempt.authenticator, {
    redirectUri: REDIRECT_URI,
  })
  return String(tokens.claims()?.sub)
}

/** `work` over `items`, CLIENTS at a time. */
async function inBatches<T, R>(items: T[], work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = []
  for (let start = 0; start < items.length; start += CLIENTS)
    results.push(...(await Promise.all(items.slice(start, start + CLIENTS).map(work))))
  return results
}

describe.each(['sqlite', 'postgres'] as const)('SIGKILL under sign-up load on %s', (kind) => {
  let database: TestDatabase | undefined
  let provider: ProviderProcess | undefined
  afterAll(async () => {
    await provider?.stop('SIGKILL')
    await database?.drop()
  })

  it(
    'keeps every sign-up the client saw succeed, with a passkey that signs in, and restarts cleanly',
    async () => {
      database = await testDatabaseUrl('provider', {
        ...process.env,
        PASSKEY_ID_TEST_DATABASE: kind,
      })
      // The same port, so the same issuer, on every restart, as behind a fixed address.
      // Thousands of sign-ups from one address are load here, not abuse: past the sign-up limit.
      const env = {
        DATABASE_URL: database.url,
        PORT: String(await freePort()),
        RATE_LIMITS: 'off',
      }
      const runs: LoadRun[] = []
      const outputs: string[] = []
      const kids: string[][] = []
      for (let round = 0; round <= KILLS; round += 1) {
        provider = await startProviderProcess(env)
        kids.push(await publishedKids(provider))
        if (round === KILLS) break
        runs.push(await killUnderLoad(provider, round))
        outputs.push(provider.output())
      }
      const live = provider as ProviderProcess
      const attempts = runs.flatMap((run) => run.attempts)
      const acknowledged = attempts.filter((attempt) => attempt.acknowledged)

      // The load ran, and nothing failed but what the kills cut off.
      expect(runs.flatMap((run) => run.unexpected)).toEqual([])
      for (const run of runs)
        expect(run.attempts.some((attempt) => attempt.acknowledged)).toBe(true)
      // Every start found the keys of the first: none was lost or made again after a kill.
      for (const each of kids) expect(each).toEqual(kids[0])

      const db = openDatabase<ProviderDatabase>(database.url)
      let accounts: Awaited<ReturnType<typeof storedAccounts>>
      try {
        expect(await integrityProblems(db, kind)).toEqual([])
        // Each migration applied once, on the first start; no restart replayed one.
        const history = await sql<{ name: string }>`select name from provider_migrations`.execute(
          db,
        )
        expect(history.rows.map((row) => row.name).sort()).toEqual(
          Object.keys(providerMigrations).sort(),
        )
        accounts = await storedAccounts(db)
      } finally {
        await db.destroy()
      }

      // No half-made account (without a passkey), none twice, none from a sign-up never posted.
      expect(accounts.filter((account) => account.passkeys.length !== 1)).toEqual([])
      const stored = new Map(accounts.map((account) => [account.username, account.passkeys[0]]))
      expect(stored.size).toBe(accounts.length)
      const submitted = new Set(
        attempts.filter((attempt) => attempt.submitted).map((attempt) => attempt.username),
      )
      expect(accounts.filter((account) => !submitted.has(account.username))).toEqual([])
      // Every acknowledged sign-up is there with the passkey its person holds.
      const missing = acknowledged.filter(
        (attempt) => stored.get(attempt.username) !== attempt.authenticator.credentials[0]?.id,
      )
      expect(missing.map((attempt) => attempt.username)).toEqual([])

      // Every account there signs in with its passkey, to the sub the app saw at sign-up.
      const found = attempts.filter((attempt) => stored.has(attempt.username))
      const config = await discoverAsApp(live.url, APP)
      const subs = await inBatches(found, (attempt) => signInAgain(config, attempt))
      expect(
        found.filter((attempt, i) => attempt.sub !== undefined && attempt.sub !== subs[i]),
      ).toEqual([])
      expect(new Set(subs).size).toBe(found.length)

      // Every start was clean: no error logged by any of them, the last one still up.
      outputs.push(live.output())
      for (const output of outputs) expect(output).not.toMatch(/"level":(50|60)/)
      expect(live.child.exitCode).toBeNull()

      // What the kills cut off: sign-ups not through to the token, some already acknowledged, some
      // whose passkey was posted without an answer (which may or may not have been saved).
      const inFlight = attempts.filter((attempt) => attempt.sub === undefined)
      const alreadyAcknowledged = inFlight.filter((attempt) => attempt.acknowledged).length
      const unanswered = inFlight.filter((attempt) => attempt.submitted && !attempt.acknowledged)
      const saved = unanswered.filter((attempt) => stored.has(attempt.username)).length
      console.info(
        `${kind}, ${KILLS} kills: ${acknowledged.length} sign-ups acknowledged; ${inFlight.length} in` +
          ` flight at the kills (${alreadyAcknowledged} already acknowledged, ${unanswered.length}` +
          ` posted without an answer, ${saved} of which were saved); ${accounts.length} accounts` +
          ' afterwards, each signing in',
      )
    },
    TEST_MS,
  )
})
