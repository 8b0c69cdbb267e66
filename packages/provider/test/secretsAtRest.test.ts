import { randomBytes } from 'node:crypto'
import { createSoftwareAuthenticator } from '@passkey-id/authenticator'
import { createSecretBox, openDatabase } from '@passkey-id/store'
import { type TestDatabase, testDatabaseUrl } from '@passkey-id/testing/database'
import { freePort, PAGE_ACCEPT, TestBrowser } from '@passkey-id/testing/http'
import { runProviderCommand, startProviderProcess } from '@passkey-id/testing/processes'
import { LOOPBACK_APP, LOOPBACK_REDIRECT_URI } from '@passkey-id/testing/provider'
import { discoverAsApp, openAccountPage, signInWithCodeFlow } from '@passkey-id/testing/sign-in'
import type { JSONWebKeySet } from 'jose'
import type { Kysely } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { ProviderDatabase } from '../src/store/schema.ts'

const STEP_MS = 120_000
const CLEAR_WARNING = /secrets are stored in clear/

/** The non-empty lines of a text. */
const lines = (text: string) => text.split('\n').filter((line) => line.trim() !== '')

/** Starts the provider expecting a refusal; returns the one line it printed. */
async function refusedProviderStart(env: Record<string, string>): Promise<string> {
  const { exit, output } = await runProviderCommand([], env)
  expect(exit.code, output).not.toBe(0)
  expect(lines(output), output).toHaveLength(1)
  return String(lines(output)[0])
}

describe('secrets at rest: encrypting an existing database, starting with and without the key, rotating it', () => {
  const keys = { k1: randomBytes(32), k2: randomBytes(32) }
  const env64 = (...ring: Buffer[]) => ({
    ENCRYPTION_KEY: ring.map((key) => key.toString('base64')).join(','),
  })
  const authenticator = createSoftwareAuthenticator()
  /** Keeps the provider's session cookie from the first start. */
  const signedIn = new TestBrowser()
  let database: TestDatabase
  let port: number
  let url: string
  const first = { sub: '', kids: [] as string[] }

  beforeAll(async () => {
    database = await testDatabaseUrl()
    port = await freePort()
    url = `http://localhost:${port}`
  })
  afterAll(() => database.drop())

  /** No ENCRYPTION_KEY unless a step gives one (blank is unset). */
  const baseEnv = () => ({ DATABASE_URL: database.url, PORT: String(port), ENCRYPTION_KEY: '' })

  const start = (env: Record<string, string> = {}) => startProviderProcess({ ...baseEnv(), ...env })
  const refusedStart = (env: Record<string, string> = {}) =>
    refusedProviderStart({ ...baseEnv(), ...env })

  /** `npm run provider -- secrets <command>`: its exit code and lines. */
  async function secrets(command: string, env: Record<string, string>) {
    const { exit, output } = await runProviderCommand(['secrets', command], {
      ...baseEnv(),
      ...env,
    })
    return { code: exit.code, lines: lines(output) }
  }

  /** The stored secrets and private keys, by where they live, read straight from the database. */
  async function stored(): Promise<Map<string, string>> {
    const db: Kysely<ProviderDatabase> = openDatabase<ProviderDatabase>(database.url)
    try {
      const secretRows = await db.selectFrom('secrets').select(['name', 'value']).execute()
      const keyRows = await db.selectFrom('signing_keys').select(['kid', 'private_jwk']).execute()
      return new Map([
        ...secretRows.map((row) => [`secrets/${row.name}`, row.value] as const),
        ...keyRows.map((row) => [`signing_keys/${row.kid}`, row.private_jwk] as const),
      ])
    } finally {
      await db.destroy()
    }
  }

  /** Writes one stored value straight into the database, as someone with write access could. */
  async function overwrite(where: string, value: string): Promise<void> {
    const db = openDatabase<ProviderDatabase>(database.url)
    const [table, name] = where.split('/')
    try {
      if (table === 'secrets')
        await db.updateTable('secrets').set({ value }).where('name', '=', String(name)).execute()
      else
        await db
          .updateTable('signing_keys')
          .set({ private_jwk: value })
          .where('kid', '=', String(name))
          .execute()
    } finally {
      await db.destroy()
    }
  }

  /** Signs in to the loopback app with the passkey (creating the account with `signUp`): its `sub`. */
  async function subject(signUp?: { username: string }): Promise<string> {
    const config = await discoverAsApp(url, LOOPBACK_APP)
    const { tokens } = await signInWithCodeFlow(config, new TestBrowser(), authenticator, {
      redirectUri: LOOPBACK_REDIRECT_URI,
      script: { signUp },
    })
    return String(tokens.claims()?.sub)
  }

  const publishedKids = async () =>
    ((await (await fetch(`${url}/openid/jwks`)).json()) as JSONWebKeySet).keys.map((key) =>
      String(key.kid),
    )

  /** Whether the browser's provider session from the first start is still accepted. */
  const sessionAccepted = async () =>
    (await signedIn.fetch(`${url}/account`, { headers: { accept: PAGE_ACCEPT } })).status === 200

  it(
    'stores secrets in clear without a key, and says so once at warn on PostgreSQL',
    async () => {
      const provider = await start()
      first.sub = await subject({ username: 'atrest' })
      await openAccountPage(signedIn, authenticator, url)
      first.kids = await publishedKids()
      const warnings = lines(provider.output()).filter((line) => CLEAR_WARNING.test(line))
      expect(await provider.stop()).toEqual({ code: 0, signal: null })

      const onPostgres = database.url.startsWith('postgres')
      expect(warnings).toHaveLength(onPostgres ? 1 : 0)
      if (onPostgres) {
        expect(JSON.parse(String(warnings[0])).level).toBe(40)
        expect(warnings[0]).toMatch(
          /openssl rand -base64 32, set ENCRYPTION_KEY .* secrets encrypt/,
        )
      }
      const values = await stored()
      expect([...values.keys()].sort()).toEqual(
        [
          'secrets/cookie-key-1',
          'secrets/email-code-key',
          'secrets/pairwise-salt',
          'secrets/recovery-link-key',
          ...first.kids.map((kid) => `signing_keys/${kid}`),
        ].sort(),
      )
      for (const value of values.values()) expect(value).not.toMatch(/^enc1\./)
    },
    STEP_MS,
  )

  it(
    'secrets encrypt seals every value under the key, and a second run changes nothing',
    async () => {
      const clear = await stored()
      const done = await secrets('encrypt', env64(keys.k1))
      expect(done.code, done.lines.join('\n')).toBe(0)
      const keyId = createSecretBox([keys.k1]).keyId
      const listed = new RegExp(`^encrypted 6 values under key id ${keyId}: (.+)$`).exec(
        String(done.lines[0]),
      )?.[1]
      expect(listed?.split(', ').sort()).toEqual([...clear.keys()].sort())
      expect(done.lines[1]).toMatch(/^restart every instance with this ENCRYPTION_KEY/)

      const sealed = await stored()
      const box = createSecretBox([keys.k1])
      for (const [where, value] of sealed) {
        expect(value).toMatch(new RegExp(`^enc1\\.${keyId}\\.`))
        expect(box.open(value, where)).toBe(clear.get(where))
      }

      const again = await secrets('encrypt', env64(keys.k1))
      expect(again).toEqual({
        code: 0,
        lines: [`nothing to do: all 6 values are already encrypted under key id ${keyId}`],
      })
      expect(await stored()).toEqual(sealed)
    },
    STEP_MS,
  )

  it(
    'starts with the key: the same keys, the same sub for the app, the same cookie key, no warning',
    async () => {
      const provider = await start(env64(keys.k1))
      expect(await publishedKids()).toEqual(first.kids)
      expect(await sessionAccepted()).toBe(true)
      expect(await subject()).toBe(first.sub)
      expect(provider.output()).not.toMatch(CLEAR_WARNING)
      expect(await provider.stop()).toEqual({ code: 0, signal: null })
    },
    STEP_MS,
  )

  it(
    'refuses to start, in one line, without the key, with another key, or with a malformed one',
    async () => {
      const before = await stored()
      const keyId = createSecretBox([keys.k1]).keyId
      expect(await refusedStart()).toMatch(
        new RegExp(
          `^passkey-id provider: (secrets|signing_keys)/\\S+ is encrypted \\(key id ${keyId}\\) but ENCRYPTION_KEY is not set: set ENCRYPTION_KEY to the key it was encrypted with$`,
        ),
      )
      expect(await refusedStart(env64(keys.k2))).toMatch(
        new RegExp(
          `^passkey-id provider: ENCRYPTION_KEY does not match: \\S+ was encrypted with key id ${keyId}, ENCRYPTION_KEY has ${createSecretBox([keys.k2]).keyId}: `,
        ),
      )
      expect(await refusedStart({ ENCRYPTION_KEY: 'correct horse battery staple' })).toBe(
        'passkey-id provider: ENCRYPTION_KEY must be 32 random bytes in base64 (44 characters), not the value given (28 characters): make one with openssl rand -base64 32',
      )
      // No refusal created or replaced a secret.
      expect(await stored()).toEqual(before)
    },
    STEP_MS,
  )

  it(
    'secrets rotate-key re-seals under the new key; then the new key works and the old one alone is refused',
    async () => {
      const newKeyId = createSecretBox([keys.k2]).keyId
      const rotated = await secrets('rotate-key', env64(keys.k2, keys.k1))
      expect(rotated.code, rotated.lines.join('\n')).toBe(0)
      expect(rotated.lines[0]).toMatch(
        new RegExp(`^re-encrypted 6 values under key id ${newKeyId}: `),
      )
      for (const value of (await stored()).values())
        expect(value).toMatch(new RegExp(`^enc1\\.${newKeyId}\\.`))
      expect((await secrets('rotate-key', env64(keys.k2, keys.k1))).lines).toEqual([
        `nothing to do: all 6 values are already encrypted under key id ${newKeyId}`,
      ])

      for (const ring of [env64(keys.k2, keys.k1), env64(keys.k2)]) {
        const provider = await start(ring)
        expect(await publishedKids()).toEqual(first.kids)
        expect(await sessionAccepted()).toBe(true)
        expect(await subject()).toBe(first.sub)
        expect(await provider.stop()).toEqual({ code: 0, signal: null })
      }
      expect(await refusedStart(env64(keys.k1))).toMatch(
        /^passkey-id provider: ENCRYPTION_KEY does not match: /,
      )
    },
    STEP_MS,
  )

  it(
    'refuses a flipped bit, a value moved to another row, and a clear value planted while a key is set',
    async () => {
      const good = await stored()
      const salt = String(good.get('secrets/pairwise-salt'))
      const flipped = Buffer.from(String(salt.split('.')[3]), 'base64url')
      flipped[5] = Number(flipped[5]) ^ 0x10
      const tampered = [...salt.split('.').slice(0, 3), flipped.toString('base64url')].join('.')
      const [kidA, kidB] = first.kids.map((kid) => `signing_keys/${kid}`)
      const cases: Array<[string, string, RegExp]> = [
        ['secrets/pairwise-salt', tampered, /secrets\/pairwise-salt fails its integrity check/],
        [
          String(kidA),
          String(good.get(String(kidB))),
          /fails its integrity check \(it was changed, or moved from another row\)/,
        ],
        [
          'secrets/cookie-key-1',
          randomBytes(32).toString('base64url'),
          /secrets\/cookie-key-1 is stored in clear although ENCRYPTION_KEY is set: run npm run provider -- secrets encrypt/,
        ],
        [
          String(kidA),
          JSON.stringify({ kty: 'oct', k: randomBytes(32).toString('base64url') }),
          /is stored in clear although ENCRYPTION_KEY is set/,
        ],
      ]
      for (const [where, value, refusal] of cases) {
        await overwrite(where, value)
        expect(await refusedStart(env64(keys.k2))).toMatch(refusal)
        await overwrite(where, String(good.get(where)))
      }
      // A rotation refuses the planted clear value too, and changes nothing.
      await overwrite('secrets/cookie-key-1', 'planted')
      const refused = await secrets('rotate-key', env64(keys.k2))
      expect(refused.code).not.toBe(0)
      expect(refused.lines).toEqual([
        expect.stringMatching(/^passkey-id provider: secrets\/cookie-key-1 is stored in clear/),
      ])
      await overwrite('secrets/cookie-key-1', String(good.get('secrets/cookie-key-1')))
      expect(await stored()).toEqual(good)
    },
    STEP_MS * 2,
  )
})

describe('secrets at rest from the first start', () => {
  let database: TestDatabase
  beforeAll(async () => {
    database = await testDatabaseUrl()
  })
  afterAll(() => database.drop())

  it(
    'seals every secret and key it creates when ENCRYPTION_KEY is set, and refuses secrets commands without one',
    async () => {
      const key = randomBytes(32)
      const env = {
        DATABASE_URL: database.url,
        PORT: String(await freePort()),
        ENCRYPTION_KEY: key.toString('base64url'),
      }
      const provider = await startProviderProcess(env)
      expect(await provider.stop()).toEqual({ code: 0, signal: null })
      expect((await runProviderCommand(['keys', 'add-next'], env)).exit.code).toBe(0)

      const box = createSecretBox([key])
      const db = openDatabase<ProviderDatabase>(database.url)
      try {
        const secretRows = await db.selectFrom('secrets').select(['name', 'value']).execute()
        expect(secretRows.map((row) => row.name).sort()).toEqual([
          'cookie-key-1',
          'email-code-key',
          'pairwise-salt',
          'recovery-link-key',
        ])
        for (const row of secretRows)
          expect(Buffer.from(box.open(row.value, `secrets/${row.name}`), 'base64url')).toHaveLength(
            32,
          )
        const jwks = await db.selectFrom('signing_keys').select(['kid', 'private_jwk']).execute()
        // The current keys of the start and the next keys of the command.
        expect(jwks).toHaveLength(4)
        for (const row of jwks)
          expect(JSON.parse(box.open(row.private_jwk, `signing_keys/${row.kid}`)).d).toBeTypeOf(
            'string',
          )
      } finally {
        await db.destroy()
      }

      const refused = await runProviderCommand(['secrets', 'encrypt'], {
        ...env,
        ENCRYPTION_KEY: '',
      })
      expect(refused.exit.code).toBe(1)
      expect(lines(refused.output)).toEqual([
        'secrets encrypt needs ENCRYPTION_KEY: make one with openssl rand -base64 32',
      ])
    },
    STEP_MS,
  )
})
