import type { Migration } from 'kysely'
import * as initial from './0001_initial.ts'

/** The provider's schema history, applied in name order by `migrateToLatest`. */
export const providerMigrations: Record<string, Migration> = {
  '0001_initial': initial,
}
