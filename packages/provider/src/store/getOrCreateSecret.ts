import { randomBytes } from 'node:crypto'
import type { Kysely } from 'kysely'
import type { ProviderDatabase } from './schema.ts'

/**
 * Returns the secret called `name`, generating 32 random bytes (base64url) on first use.
 *
 * Insert-then-read makes two instances starting together on one database agree on one value.
 */
export async function getOrCreateSecret(
  db: Kysely<ProviderDatabase>,
  name: string,
): Promise<string> {
  await db
    .insertInto('secrets')
    .values({
      name,
      value: randomBytes(32).toString('base64url'),
      created_at: new Date().toISOString(),
    })
    .onConflict((conflict) => conflict.column('name').doNothing())
    .execute()
  const row = await db
    .selectFrom('secrets')
    .select('value')
    .where('name', '=', name)
    .executeTakeFirstOrThrow()
  return row.value
}
