import type { Migration } from 'kysely'
import * as initial from './0001_initial.ts'
import * as profile from './0002_profile.ts'
import * as accountManagement from './0003_account_management.ts'

/** The provider's schema history, applied in name order by `migrateToLatest`. */
export const providerMigrations: Record<string, Migration> = {
  '0001_initial': initial,
  '0002_profile': profile,
  '0003_account_management': accountManagement,
}
