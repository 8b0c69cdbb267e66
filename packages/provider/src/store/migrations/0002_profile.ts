import type { Kysely } from 'kysely'

/** The profile behind the phone, profile and address scopes: nullable, so existing rows stay valid. */
const PROFILE_COLUMNS = [
  'phone_number',
  'name',
  'given_name',
  'family_name',
  'birthdate',
  'gender',
  'locale',
  'zoneinfo',
  'website',
  'address_street',
  'address_locality',
  'address_region',
  'address_postal_code',
  'address_country',
  'profile_updated_at',
] as const

/** Adds the profile columns to `accounts`. */
export async function up(db: Kysely<unknown>): Promise<void> {
  // SQLite alters one column per statement.
  for (const column of PROFILE_COLUMNS) {
    await db.schema.alterTable('accounts').addColumn(column, 'text').execute()
  }
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const column of PROFILE_COLUMNS) {
    await db.schema.alterTable('accounts').dropColumn(column).execute()
  }
}
