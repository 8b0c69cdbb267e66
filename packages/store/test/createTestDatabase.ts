import { testDatabaseUrl } from '@passkey-id/testing/database'

/** A fresh, empty database for one test, and how to throw it away. */
export interface TestDatabase {
  kind: 'sqlite' | 'postgres'
  /** A `DATABASE_URL` for it. */
  url: string
  drop(): Promise<void>
}

/**
 * A new SQLite file, or a new schema of the tests' PostgreSQL (`testDatabaseUrl`), whichever kind
 * the suite runs on: the store's own tests run on both in every project, each kind by name.
 */
export async function createTestDatabase(kind: TestDatabase['kind']): Promise<TestDatabase> {
  const database = await testDatabaseUrl('test', {
    ...process.env,
    PASSKEY_ID_TEST_DATABASE: kind,
  })
  return { kind, ...database }
}
