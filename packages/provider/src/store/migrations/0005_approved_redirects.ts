import type { Kysely } from 'kysely'

/**
 * The redirect URIs each consent was given for: a token or code sent in a fragment or a form_post
 * goes without the consent page only to one of them. Consents given before have none, so the next
 * such sign-in shows the consent page once, naming its destination.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('consents')
    .addColumn('redirect_uris', 'text', (column) => column.notNull().defaultTo(''))
    .execute()
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('consents').dropColumn('redirect_uris').execute()
}
