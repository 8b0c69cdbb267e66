import { type Kysely, sql } from 'kysely'

/**
 * Narrows two indexes of `oidc_records` to the rows looked up through them, so that the writes of a
 * sign-in (some ten of them, each also writing every index of its row) update fewer indexes:
 *
 * - `grant_id`: only codes and tokens (and interactions once granted) carry a grant; sessions and
 *   grants skip the index. Its key drops `model`, which let deleting an app's grants (`grant_id in
 *   (...)`, any model) use no index at all and read the whole table.
 * - `uid`: only sessions are looked up by uid (`Session.findByUid`), so the adapter stores a uid for
 *   sessions alone from now on, and the interactions written before lose theirs here.
 *
 * `grant_id = ?` and `uid = ?` imply `is not null`, so SQLite and PostgreSQL both use these partial
 * indexes for a query with a bound parameter. No insert names them as its conflict target.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('oidc_records_grant_id').execute()
  await db.schema
    .createIndex('oidc_records_grant_id')
    .on('oidc_records')
    .column('grant_id')
    .where(sql.ref('grant_id'), 'is not', null)
    .execute()
  await sql`update oidc_records set uid = null where model <> 'Session' and uid is not null`.execute(
    db,
  )
  await db.schema.dropIndex('oidc_records_uid').execute()
  await db.schema
    .createIndex('oidc_records_uid')
    .on('oidc_records')
    .column('uid')
    .where(sql.ref('uid'), 'is not', null)
    .execute()
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('oidc_records_grant_id').execute()
  await db.schema
    .createIndex('oidc_records_grant_id')
    .on('oidc_records')
    .columns(['model', 'grant_id'])
    .execute()
  await db.schema.dropIndex('oidc_records_uid').execute()
  await db.schema
    .createIndex('oidc_records_uid')
    .on('oidc_records')
    .columns(['model', 'uid'])
    .execute()
}
