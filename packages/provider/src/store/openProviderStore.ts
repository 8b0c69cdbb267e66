import {
  checkConnection,
  type DatabaseOptions,
  migrateToLatest,
  openDatabase,
  withStartupLock,
} from '@passkey-id/store'
import type { Kysely } from 'kysely'
import { providerMigrations } from './migrations/index.ts'
import type { ProviderDatabase } from './schema.ts'

/** How the provider's database is opened, and what a start does before any other instance may. */
export interface ProviderStoreOptions extends DatabaseOptions {
  /**
   * Work no other instance on the same database may do at the same time, run right after the
   * migrations on the migrated schema: creating the first keys and secrets. `applied` names the
   * migrations this start applied.
   */
  atStart?: (locked: Kysely<ProviderDatabase>, applied: string[]) => Promise<void>
}

/**
 * Opens the provider's database, checks that it answers (a wrong or unreachable `DATABASE_URL` is
 * one line naming it), and brings its schema up to date under the start-up lock, so that instances
 * starting together on one PostgreSQL database migrate once and create one set of keys. A schema
 * newer than this version stops here (`SchemaTooNewError`), changing nothing.
 */
export async function openProviderStore(
  databaseUrl: string,
  { atStart, ...options }: ProviderStoreOptions = {},
): Promise<Kysely<ProviderDatabase>> {
  const db = openDatabase<ProviderDatabase>(databaseUrl, options)
  try {
    await checkConnection(db, databaseUrl)
    await withStartupLock(db, async (locked) => {
      const applied = await migrateToLatest(
        locked as Kysely<unknown>,
        providerMigrations,
        'provider_migrations',
      )
      await atStart?.(locked, applied)
    })
  } catch (error) {
    await db.destroy()
    throw error
  }
  return db
}
