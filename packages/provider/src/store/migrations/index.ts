import type { Migration } from 'kysely'
import * as initial from './0001_initial.ts'
import * as profile from './0002_profile.ts'
import * as accountManagement from './0003_account_management.ts'
import * as rateLimits from './0004_rate_limits.ts'
import * as approvedRedirects from './0005_approved_redirects.ts'
import * as partialRecordIndexes from './0006_partial_record_indexes.ts'
import * as securityEvents from './0007_security_events.ts'
import * as disabledAccounts from './0008_disabled_accounts.ts'
import * as emailVerification from './0009_email_verification.ts'
import * as recoveryLinks from './0010_recovery_links.ts'

/** The provider's schema history, applied in name order by `migrateToLatest`. */
export const providerMigrations: Record<string, Migration> = {
  '0001_initial': initial,
  '0002_profile': profile,
  '0003_account_management': accountManagement,
  '0004_rate_limits': rateLimits,
  '0005_approved_redirects': approvedRedirects,
  '0006_partial_record_indexes': partialRecordIndexes,
  '0007_security_events': securityEvents,
  '0008_disabled_accounts': disabledAccounts,
  '0009_email_verification': emailVerification,
  '0010_recovery_links': recoveryLinks,
}
