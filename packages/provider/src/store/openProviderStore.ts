import { migrateToLatest, openDatabase } from '@passkey-id/store'
import type { Kysely } from 'kysely'
import { providerMigrations } from './migrations/index.ts'
import type { ProviderDatabase } from './schema.ts'

/** Opens the provider's database and brings its schema up to date. */
export async function openProviderStore(databaseUrl: string): Promise<Kysely<ProviderDatabase>> {
  const db = openDatabase<ProviderDatabase>(databaseUrl)
  try {
    await migrateToLatest(db as Kysely<unknown>, providerMigrations, 'provider_migrations')
  } catch (error) {
    await db.destroy()
    throw error
  }
  return db
}
