import type { Kysely } from 'kysely'

/**
 * What the account page needs: a name per passkey, and the account behind each protocol record, so
 * that revoking an app or deleting an account finds its grants, tokens and sessions by index
 * instead of reading every record's JSON.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('passkeys').addColumn('name', 'text').execute()
  await db.schema.alterTable('oidc_records').addColumn('account_id', 'text').execute()
  await db.schema
    .createIndex('oidc_records_account_id')
    .on('oidc_records')
    .column('account_id')
    .execute()
  await backfillAccountIds(db as Kysely<RecordsBeforeMigration>)
}

interface RecordsBeforeMigration {
  oidc_records: { model: string; id: string; payload: string; account_id: string | null }
}

/** Records written before this migration name their account only inside the payload. */
async function backfillAccountIds(db: Kysely<RecordsBeforeMigration>): Promise<void> {
  const rows = await db
    .selectFrom('oidc_records')
    .select(['model', 'id', 'payload'])
    .where('payload', 'like', '%"accountId"%')
    .execute()
  for (const row of rows) {
    const { accountId } = JSON.parse(row.payload) as { accountId?: unknown }
    if (typeof accountId !== 'string') continue
    await db
      .updateTable('oidc_records')
      .set({ account_id: accountId })
      .where('model', '=', row.model)
      .where('id', '=', row.id)
      .execute()
  }
}
