import type { Kysely } from 'kysely'

/**
 * The security events each account's owner sees as "Recent activity" (events/): sign-ups, sign-ins,
 * failed sign-ins, passkey and app changes, rate-limit refusals. An account keeps a ring of slots
 * (`slot` = `seq` modulo the cap), so a new event overwrites the account's oldest in the same
 * statement that writes it, and no account holds more rows than the cap. The rows go with their
 * account (cascade), and `created_at` is indexed for the retention cleanup.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('security_events')
    .addColumn('account_id', 'text', (column) =>
      column.notNull().references('accounts.id').onDelete('cascade'),
    )
    .addColumn('slot', 'integer', (column) => column.notNull())
    .addColumn('seq', 'integer', (column) => column.notNull())
    .addColumn('kind', 'text', (column) => column.notNull())
    .addColumn('ip', 'text', (column) => column.notNull())
    .addColumn('client_id', 'text')
    .addColumn('created_at', 'text', (column) => column.notNull())
    .addPrimaryKeyConstraint('security_events_pk', ['account_id', 'slot'])
    .execute()
  await db.schema
    .createIndex('security_events_account_seq')
    .on('security_events')
    .columns(['account_id', 'seq'])
    .execute()
  await db.schema
    .createIndex('security_events_created_at')
    .on('security_events')
    .column('created_at')
    .execute()
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('security_events').execute()
}
