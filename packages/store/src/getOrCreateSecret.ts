import { randomBytes } from 'node:crypto'
import type { Kysely } from 'kysely'

/** A table of named secrets: `name` primary key, `value`, `created_at`. */
export interface SecretsTable {
  name: string
  value: string
  created_at: string
}

/**
 * Returns the secret called `name` from `table`, generating 32 random bytes (base64url) on first use.
 *
 * Insert-then-read makes two instances starting together on one database agree on one value.
 */
export async function getOrCreateSecret<
  Database extends Record<Table, SecretsTable>,
  Table extends keyof Database & string,
>(db: Kysely<Database>, table: Table, name: string): Promise<string> {
  const secrets = db as unknown as Kysely<Record<'secrets', SecretsTable>>
  const from = table as unknown as 'secrets'
  await secrets
    .insertInto(from)
    .values({
      name,
      value: randomBytes(32).toString('base64url'),
      created_at: new Date().toISOString(),
    })
    .onConflict((conflict) => conflict.column('name').doNothing())
    .execute()
  const row = await secrets
    .selectFrom(from)
    .select('value')
    .where('name', '=', name)
    .executeTakeFirstOrThrow()
  return row.value
}
