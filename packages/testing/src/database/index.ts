// `@passkey-id/testing/database`: a database of a test's own, SQLite or PostgreSQL as the suite runs.
export * from './holdMigrationLock.ts'
export * from './testDatabaseUrl.ts'
