import type { Kysely } from 'kysely'

/**
 * Account recovery (accounts/recoveryLinks.ts): the one-time links that let a person who lost every
 * passkey create a new one. Never the link's token, only its HMAC under a server secret (the key);
 * the account, the address the link was mailed to (none for an operator's link), its end and when
 * it was used. Links go with their account (cascade), and with time (deleteExpiredRecords).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('recovery_links')
    .addColumn('token_hash', 'text', (column) => column.primaryKey())
    .addColumn('account_id', 'text', (column) =>
      column.notNull().references('accounts.id').onDelete('cascade'),
    )
    .addColumn('email', 'text')
    .addColumn('expires_at', 'text', (column) => column.notNull())
    .addColumn('used_at', 'text')
    .addColumn('created_at', 'text', (column) => column.notNull())
    .execute()
  await db.schema
    .createIndex('recovery_links_account_id')
    .on('recovery_links')
    .column('account_id')
    .execute()
  await db.schema
    .createIndex('recovery_links_expires_at')
    .on('recovery_links')
    .column('expires_at')
    .execute()
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('recovery_links').execute()
}
