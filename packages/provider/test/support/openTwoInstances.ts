import { testDatabaseUrl } from '@passkey-id/testing/database'
import type { Kysely } from 'kysely'
import { openProviderStore } from '../../src/store/openProviderStore.ts'
import type { ProviderDatabase } from '../../src/store/schema.ts'

/**
 * Two provider instances' databases: two connection pools on one new PostgreSQL schema (whichever
 * project runs the test), as two processes behind a balancer have. For the tests of what two
 * instances may do to one account at the same moment. `close` ends both pools and drops the schema.
 */
export async function openTwoInstances(): Promise<{
  first: Kysely<ProviderDatabase>
  second: Kysely<ProviderDatabase>
  close(): Promise<void>
}> {
  const database = await testDatabaseUrl('provider', {
    ...process.env,
    PASSKEY_ID_TEST_DATABASE: 'postgres',
  })
  const first = await openProviderStore(database.url)
  const second = await openProviderStore(database.url)
  return {
    first,
    second,
    async close() {
      await Promise.all([first.destroy(), second.destroy()])
      await database.drop()
    },
  }
}
