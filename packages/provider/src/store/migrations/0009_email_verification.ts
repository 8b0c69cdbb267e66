import type { Kysely } from 'kysely'

/**
 * Email verification (accounts/emailVerification.ts): when an account's address was verified, and
 * that address in the form uniqueness is checked on, so a verified address belongs to one account
 * only (a unique index, which allows any number of NULLs on SQLite and PostgreSQL alike); and the
 * one pending code of each account, stored only as an HMAC, with the address it was sent to, its
 * failed attempts and its end. The code goes with its account (cascade).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('accounts').addColumn('email_verified_at', 'text').execute()
  await db.schema.alterTable('accounts').addColumn('verified_email_key', 'text').execute()
  await db.schema
    .createIndex('accounts_verified_email_key')
    .on('accounts')
    .column('verified_email_key')
    .unique()
    .execute()
  await db.schema
    .createTable('email_codes')
    .addColumn('account_id', 'text', (column) =>
      column.primaryKey().references('accounts.id').onDelete('cascade'),
    )
    .addColumn('email', 'text', (column) => column.notNull())
    .addColumn('code_hash', 'text', (column) => column.notNull())
    .addColumn('attempts', 'integer', (column) => column.notNull().defaultTo(0))
    .addColumn('expires_at', 'text', (column) => column.notNull())
    .addColumn('created_at', 'text', (column) => column.notNull())
    .execute()
  await db.schema
    .createIndex('email_codes_expires_at')
    .on('email_codes')
    .column('expires_at')
    .execute()
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('email_codes').execute()
  await db.schema.dropIndex('accounts_verified_email_key').execute()
  await db.schema.alterTable('accounts').dropColumn('verified_email_key').execute()
  await db.schema.alterTable('accounts').dropColumn('email_verified_at').execute()
}
