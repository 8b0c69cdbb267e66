import { openDatabase } from '@passkey-id/store'
import { testDatabaseUrl } from '@passkey-id/testing/database'
import { describe, expect, it } from 'vitest'
import { loadProviderConfig } from '../src/config.ts'
import { createProviderServer } from '../src/createProviderServer.ts'
import type { ProviderDatabase } from '../src/store/schema.ts'

/** How many instances start at once, and how many times, each time on an empty schema. */
const INSTANCES = 4
const ROUNDS = 2

// Instances that start together on one empty PostgreSQL database must agree on one set of keys.
// Without the start-up lock each made its own current key (3-4 per algorithm in every round).
// Always on PostgreSQL: SQLite has one instance, and one process cannot open a file four times.
describe('instances starting together on an empty PostgreSQL schema', () => {
  it('end with one current key per algorithm, and all publish the same keys', async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const database = await testDatabaseUrl('provider', {
        ...process.env,
        PASSKEY_ID_TEST_DATABASE: 'postgres',
      })
      const config = loadProviderConfig({
        DATABASE_URL: database.url,
        DATABASE_POOL_SIZE: '2',
        LOG_LEVEL: 'silent',
      })
      const apps = await Promise.all(
        Array.from({ length: INSTANCES }, () => createProviderServer(config)),
      )
      const db = openDatabase<ProviderDatabase>(database.url)
      try {
        const published = await Promise.all(
          apps.map(async (app) => (await app.inject({ url: '/openid/jwks' })).json()),
        )
        const current = await db
          .selectFrom('signing_keys')
          .select(['alg', 'kid'])
          .where('state', '=', 'current')
          .orderBy('alg')
          .execute()
        expect(current.map((key) => key.alg)).toEqual(['ES256', 'RS256'])
        const kids = published.map((jwks: { keys: { kid: string }[] }) =>
          jwks.keys.map((key) => key.kid).sort(),
        )
        for (const each of kids) expect(each).toEqual(current.map((key) => key.kid).sort())
        const secrets = await db.selectFrom('secrets').select('name').orderBy('name').execute()
        expect(secrets.map((secret) => secret.name)).toEqual([
          'cookie-key-1',
          'email-code-key',
          'pairwise-salt',
          'recovery-link-key',
        ])
      } finally {
        await Promise.all(apps.map((app) => app.close()))
        await db.destroy()
        await database.drop()
      }
    }
  })
})
