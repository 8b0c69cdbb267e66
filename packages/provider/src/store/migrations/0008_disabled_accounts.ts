import type { Kysely } from 'kysely'

/**
 * An operator can disable an account (`npm run provider -- accounts disable`) without deleting it:
 * `disabled_at` is when, null for an account in use. A disabled account signs in to nothing and its
 * tokens fail; enabling it clears the column and keeps everything else as it was.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('accounts').addColumn('disabled_at', 'text').execute()
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('accounts').dropColumn('disabled_at').execute()
}
